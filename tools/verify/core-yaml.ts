/**
 * js-yaml's loader with exactly the YAML 1.2 core schema's scalars (YAML 1.2.2 §10.3.2 "Tag Resolution"), as the
 * `yaml` library (which writes render's files) resolves them: js-yaml's own core schema reads more as numbers
 * (`0b101`, `+0x1F`, `-0o7`, `1_0.5`), which `yaml` writes unquoted since to it they are strings.
 */
import { FAILSAFE_SCHEMA, loadAll, Type } from "js-yaml";

const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (s: unknown) => typeof s === "string" && test.test(s),
    construct: (s: string) => construct(s),
  });

/** null, bool, int (decimal, `0o` octal, `0x` hex) and float (`.inf`, `.nan`, decimals, exponents), nothing else. */
export const YAML_CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", /^(?:~|null|Null|NULL|)$/, () => null),
    scalar("bool", /^(?:true|True|TRUE|false|False|FALSE)$/, (s) => s.toLowerCase() === "true"),
    scalar("int", /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (s) =>
      s.startsWith("0o")
        ? parseInt(s.slice(2), 8)
        : s.startsWith("0x")
          ? parseInt(s.slice(2), 16)
          : parseInt(s, 10),
    ),
    scalar(
      "float",
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/,
      (s) =>
        /nan$/i.test(s) ? NaN : /inf$/i.test(s) ? (s.startsWith("-") ? -Infinity : Infinity) : parseFloat(s),
    ),
  ],
});

/** Every document of a multi-document YAML text, read with {@link YAML_CORE_SCHEMA}. */
export function loadAllCore(text: string, filename: string): unknown[] {
  return loadAll(text, undefined, { schema: YAML_CORE_SCHEMA, filename });
}
