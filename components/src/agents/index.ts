// Agent: one `agentops:agents` entry as Kubernetes objects.
export * from "./agent";
