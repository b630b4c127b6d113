// The capacity plan: workloads (platform footprints, EKS add-ons, agents) placed onto the node groups.
export * from "./workloads";
export * from "./nodes";
export * from "./eks-addons";
export * from "./plan";
