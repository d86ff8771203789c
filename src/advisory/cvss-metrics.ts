/**
 * Metric names and allowed values of each CVSS version, from the FIRST specifications
 * (v2 guide §2, v3.0/v3.1 specification §2–4 and Table 15, v4.0 specification §2–5).
 * Base metrics are mandatory; the others may be omitted or set to "not defined".
 */

export interface MetricSpec {
  readonly values: readonly string[];
  readonly base: boolean;
}

export type MetricTable = ReadonlyMap<string, MetricSpec>;

function table(base: Record<string, string>, other: Record<string, string>): MetricTable {
  const entries = (group: Record<string, string>, isBase: boolean): [string, MetricSpec][] =>
    Object.entries(group).map(([name, values]) => [
      name,
      { values: values.split(" "), base: isBase },
    ]);
  return new Map([...entries(base, true), ...entries(other, false)]);
}

export const CVSS2_METRICS = table(
  { AV: "L A N", AC: "H M L", Au: "M S N", C: "N P C", I: "N P C", A: "N P C" },
  {
    E: "U POC F H ND",
    RL: "OF TF W U ND",
    RC: "UC UR C ND",
    CDP: "N L LM MH H ND",
    TD: "N L M H ND",
    CR: "L M H ND",
    IR: "L M H ND",
    AR: "L M H ND",
  },
);

export const CVSS3_METRICS = table(
  {
    AV: "N A L P",
    AC: "L H",
    PR: "N L H",
    UI: "N R",
    S: "U C",
    C: "H L N",
    I: "H L N",
    A: "H L N",
  },
  {
    E: "X H F P U",
    RL: "X U W T O",
    RC: "X C R U",
    CR: "X H M L",
    IR: "X H M L",
    AR: "X H M L",
    MAV: "X N A L P",
    MAC: "X L H",
    MPR: "X N L H",
    MUI: "X N R",
    MS: "X U C",
    MC: "X H L N",
    MI: "X H L N",
    MA: "X H L N",
  },
);

export const CVSS4_METRICS = table(
  {
    AV: "N A L P",
    AC: "L H",
    AT: "N P",
    PR: "N L H",
    UI: "N P A",
    VC: "H L N",
    VI: "H L N",
    VA: "H L N",
    SC: "H L N",
    SI: "H L N",
    SA: "H L N",
  },
  {
    E: "X A P U",
    CR: "X H M L",
    IR: "X H M L",
    AR: "X H M L",
    MAV: "X N A L P",
    MAC: "X L H",
    MAT: "X N P",
    MPR: "X N L H",
    MUI: "X N P A",
    MVC: "X H L N",
    MVI: "X H L N",
    MVA: "X H L N",
    MSC: "X H L N",
    MSI: "X S H L N",
    MSA: "X S H L N",
    S: "X N P",
    AU: "X N Y",
    R: "X A U I",
    V: "X D C",
    RE: "X L M H",
    U: "X Clear Green Amber Red",
  },
);
