/**
 * Kubernetes resource quantities, parsed by the grammar of k8s.io/apimachinery's `resource.Quantity`:
 *
 *   <quantity> ::= <signedNumber><suffix>
 *   <suffix>   ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI> ::= m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
 *
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
 */

const BINARY_SI: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SI: Record<string, number> = {
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

// A signed number is digits with an optional fraction, or a fraction alone ("0.5", ".5", "5.").
const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
const QUANTITY = new RegExp(String.raw`^(${NUMBER})(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(m|k|M|G|T|P|E)?)$`);

/** Parses a quantity ("500m", "2", "1.5Gi", "1e3") into its value in base units, or `undefined` when it is not one. */
export function parseQuantity(input: string | number): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) ? input : undefined;
  const match = QUANTITY.exec(input);
  if (!match) return undefined;
  const [, num, binary, exponent, decimal] = match;
  const value = Number(num);
  if (binary) return value * BINARY_SI[binary]!;
  if (exponent !== undefined) return value * 10 ** Number(exponent);
  return value * DECIMAL_SI[decimal ?? ""]!;
}

/** Like {@link parseQuantity}, for values already validated: throws on anything that is not a quantity. */
export function quantity(input: string | number): number {
  const value = parseQuantity(input);
  if (value === undefined) throw new Error(`${JSON.stringify(input)} is not a Kubernetes quantity`);
  return value;
}

/** CPU cores of a CPU quantity ("500m" → 0.5). */
export const cpuCores = (q: string | number): number => quantity(q);

/** GiB of a memory or storage quantity ("512Mi" → 0.5). */
export const gibibytes = (q: string | number): number => quantity(q) / 2 ** 30;
