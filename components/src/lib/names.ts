/**
 * Child resource names. Every child of a component is named `${parent}-${suffix}` through this one helper,
 * so two components never collide and a rename is always deliberate.
 */
export function childName(parent: string, ...suffix: string[]): string {
  return [parent, ...suffix].join("-");
}

/** A DNS-1123 label, the rule for Kubernetes names of namespaces, services and most objects. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
