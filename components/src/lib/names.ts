/**
 * Child resource names. Every child of a component is named `${parent}-${suffix}` through this one helper,
 * so two components never collide and a rename is always deliberate.
 */
export function childName(parent: string, ...suffix: string[]): string {
  return [parent, ...suffix].join("-");
}

/**
 * A DNS-1035 label (apimachinery `dns1035LabelFmt`): the rule for Service names, and the project's rule for
 * names that become Services. Length (≤ 63) is checked apart.
 */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label (apimachinery `dns1123LabelFmt`): namespaces and most object names. Length ≤ 63 apart. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A label value (apimachinery `labelValueFmt`), empty excluded here. Length ≤ 63 apart. */
export const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
