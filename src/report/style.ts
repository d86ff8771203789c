/** Terminal styling, injected so renderers stay pure and colour is decided once, at the edge. */
export interface Style {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
}

const identity = (text: string): string => text;
export const plainStyle: Style = {
  bold: identity,
  red: identity,
  yellow: identity,
  green: identity,
  dim: identity,
};

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;
export const ansiStyle: Style = {
  bold: sgr(1, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  dim: sgr(2, 22),
};

export type ColorChoice = "auto" | "always" | "never";

/** cargo's rules: an explicit choice wins, then `NO_COLOR`, then `CARGO_TERM_COLOR`, then "is a TTY". */
export function chooseStyle(
  choice: ColorChoice | undefined,
  env: NodeJS.ProcessEnv,
  isTty: boolean,
): Style {
  let effective = choice;
  if (!effective && env.NO_COLOR !== undefined && env.NO_COLOR !== "") effective = "never";
  if (!effective) {
    const fromCargo = env.CARGO_TERM_COLOR;
    if (fromCargo === "always" || fromCargo === "never" || fromCargo === "auto")
      effective = fromCargo;
  }
  if (effective === "always") return ansiStyle;
  if (effective === "never") return plainStyle;
  return isTty ? ansiStyle : plainStyle;
}
