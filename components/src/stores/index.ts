// The data stores (`agentops:stores`) and the backups of agents' volumes (`agentops:backups`).
export {
  DataStores,
  VolumeBackups,
  type DataStoresArgs,
  type StoresCloud,
  type VolumeBackupsArgs,
} from "./stores";
