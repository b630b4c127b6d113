/**
 * A password made in the cluster, never in Pulumi state or a stack file: External Secrets' `Password` generator
 * and an ExternalSecret that writes one value once into a Secret (`refreshPolicy: CreatedOnce`, so no refresh
 * rotates it underneath its readers). https://external-secrets.io/latest/api/generator/password/
 */

/** A plain Kubernetes object as the components declare custom resources. */
export interface PlainObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface GeneratedPasswordArgs {
  /** Name of the Secret made (and of its ExternalSecret and generator). */
  name: string;
  namespace: string;
  /** The Secret's key holding the password. */
  key: string;
  /** Characters; letters and digits only (URL-, shell- and Redis-AUTH-safe). */
  length: number;
  labels?: Record<string, string>;
}

/** The generator and the ExternalSecret of a generated password; the ExternalSecret owns the Secret it makes. */
export function generatedPassword(args: GeneratedPasswordArgs): {
  generator: PlainObject;
  externalSecret: PlainObject;
} {
  const metadata = {
    name: args.name,
    namespace: args.namespace,
    ...(args.labels ? { labels: args.labels } : {}),
  };
  return {
    generator: {
      apiVersion: "generators.external-secrets.io/v1alpha1",
      kind: "Password",
      metadata,
      spec: {
        length: args.length,
        digits: Math.floor(args.length / 5),
        symbols: 0,
        noUpper: false,
        allowRepeat: true,
      },
    },
    externalSecret: {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata,
      spec: {
        refreshPolicy: "CreatedOnce",
        target: {
          name: args.name,
          creationPolicy: "Owner",
          template: { type: "Opaque", data: { [args.key]: "{{ .password }}" } },
        },
        dataFrom: [
          {
            sourceRef: {
              generatorRef: {
                apiVersion: "generators.external-secrets.io/v1alpha1",
                kind: "Password",
                name: args.name,
              },
            },
          },
        ],
      },
    },
  };
}
