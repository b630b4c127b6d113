/** A kubeconfig for an EKS cluster whose user gets short-lived tokens from `aws eks get-token`. */

export interface KubeconfigArgs {
  clusterName: string;
  region: string;
  endpoint: string;
  /** Base64 PEM of the cluster's certificate authority. */
  certificateAuthorityData: string;
}

/**
 * The kubeconfig as an object. Tokens come from the AWS CLI on every use, so the file holds no credential
 * (it is still a stack secret: it names the endpoint and CA of a private cluster). Pure.
 */
export function eksKubeconfig(args: KubeconfigArgs) {
  const name = args.clusterName;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthorityData },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--output", "json"],
            interactiveMode: "Never",
          },
        },
      },
    ],
  };
}
