/**
 * Every policy of the pack, in one explicit list: a policy that is not here does not run, anywhere.
 * The Pulumi engine gets it through index.ts; the offline runner and the tests import it directly.
 */
import { agentBudgets } from "./budgets";
import type { AgentOpsPolicy } from "./define";
import {
  eksControlPlaneLogging,
  eksEndpointAccess,
  eksNodesPrivateSubnets,
  eksSecretsEncryption,
  launchTemplateImdsV2,
} from "./eks";
import { imageRegistries, imageTags } from "./images";
import { podSecurity } from "./pod-security";
import { tenantIsolation } from "./tenancy";

export const policies: readonly AgentOpsPolicy[] = [
  podSecurity,
  imageTags,
  imageRegistries,
  agentBudgets,
  tenantIsolation,
  eksSecretsEncryption,
  eksControlPlaneLogging,
  eksEndpointAccess,
  launchTemplateImdsV2,
  eksNodesPrivateSubnets,
];
