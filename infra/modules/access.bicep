// Every role the template grants, and nothing else: the app's managed identity's data-plane roles, each on one
// resource, and the product's consumers' one role on the notifications queue.
// tests/Billing.Infra.Tests checks that the template grants exactly these; docs/deploy.md explains them.

param identityName string
param storageAccountName string
param applicationInsightsName string
param keyVaultName string
param cosmosAccountName string

@description('The queue of the notifications for the product (billing-notifications).')
param notificationsQueueName string

@description('Object ids of the Entra principals that consume the notifications queue (docs/notifications.md).')
param notificationConsumerPrincipalIds string[] = []

// Built-in role definition ids (the same in every tenant).
var roles = {
  // The Functions host's own storage (AzureWebJobsStorage): blob leases for the primary host and the singleton timer
  // triggers, the timers' schedule status, the host key store; it creates its containers (azure-webjobs-hosts,
  // azure-webjobs-secrets) on first start. The Flex Consumption platform also reads the deployment package from
  // its blob container with this identity. Storage Blob Data Owner is the role the Functions documentation names
  // for identity-based host storage; on an account without hierarchical namespace it grants the same blob data
  // actions as Blob Data Contributor plus ownership/ACL changes, which do not exist there.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Queues: the host's queue triggers (stripe-events, invoice-jobs) read, update and delete messages and move them
  // to <queue>-poison; the app's code sends (StripeEventQueueWriter, InvoiceJobSender, BillingNotificationSender),
  // deletes (StripeEventQueueWriter.DeleteAsync), creates a missing queue (CreateIfNotExistsAsync), reads queue
  // properties (health, poison listing counts), peeks, receives, deletes and updates visibility (PoisonQueue replay).
  // Sender + Message Processor + Reader would still lack queue create and message update: Contributor is the
  // smallest built-in role with all of them.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Application Insights ingestion with Entra ID (the component's local auth is disabled).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Key Vault references: read secret values (Stripe key, webhook signing secrets); no list/write/delete.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // The product's consumers of the notifications queue: peek, receive and delete its messages, on that queue only.
  // Shared keys are off, so a connection string cannot read it; nothing else of the account is theirs.
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
}

// Cosmos DB data-plane role (a Cosmos SQL role, not an Azure RBAC role): Cosmos DB Built-in Data Contributor. Item
// reads, writes, patches, queries and the read feed, and metadata reads (the health probe reads the database). It
// cannot create containers, which this template provisions instead.
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

var principalId = identity.properties.principalId

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource notificationsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: queueService
  name: notificationsQueueName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource cosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, cosmosDataContributor)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    principalId: principalId
    scope: cosmos.id
  }
}

// No principalType: a consumer may be a managed identity, an app registration's service principal, a user or a group.
resource notificationConsumers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for consumer in notificationConsumerPrincipalIds: {
    name: guid(notificationsQueue.id, consumer, roles.storageQueueDataMessageProcessor)
    scope: notificationsQueue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageProcessor)
      principalId: consumer
    }
  }
]
