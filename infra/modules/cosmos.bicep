// Cosmos DB for NoSQL: the billing database and its three containers exactly as CosmosProvisioner creates them in
// development (src/Billing.Cosmos/Provisioning/CosmosProvisioner.cs; docs/data-model.md). In Azure the app never
// provisions (Billing__Cosmos__ProvisionOnStartup=false): its data-plane role cannot create containers, this template
// does. Keys are off (disableLocalAuth): the app signs in with its managed identity (role in access.bicep).

param name string
param location string
param tags object
param databaseName string

@description('serverless (pay per request unit, the default), autoscale (provisioned, scales between 10% and 100% of the maximum) or manual (fixed provisioned throughput). Changing serverless to or from provisioned needs a new account.')
@allowed([
  'serverless'
  'autoscale'
  'manual'
])
param throughputMode string

@description('The Log Analytics workspace that receives the PartitionKeyStatistics resource log (the largest logical partitions), which alerts.bicep watches.')
param workspaceId string

@description('autoscale: the maximum RU/s shared by the containers (1000 or more); manual: the RU/s shared by the containers (400 or more). Ignored when serverless.')
@minValue(400)
param throughput int

// Partition keys and indexing as docs/data-model.md justifies them; tests/Billing.Infra.Tests compares them with what
// CosmosProvisioner creates.
var containers = [
  {
    // One logical partition per account (account, usage, usage keys, allocations, invoice runs, credits, its Stripe
    // event history) plus 16 per closing day for the usage index, the operator listings' partitions and the sweep's
    // position. Time to live on without a default: only the usage idempotency keys, the event history and the
    // invoiced closing-day index entries carry a ttl.
    // Indexed: only what the queries filter or order on (ContainerDefinitions.AccountsIndexedPaths); every indexed term
    // costs each write, and a usage record writes some forty that nothing queries.
    // The missed-event sweep orders overdue accounts by renewsBy, then account id (both descending): a two-field
    // ORDER BY needs a composite index (ContainerDefinitions.AccountsCompositeIndexes).
    name: 'accounts'
    partitionKeyPath: '/accountId'
    defaultTtl: -1
    includedPaths: [
      '/accountId/?'
      '/type/?'
      '/periodStart/?'
      '/periodEnd/?'
      '/invoicedAt/?'
      '/sequence/?'
      '/stripeInvoiceId/?'
      '/step/?'
      '/receivedAt/?'
      '/plan/?'
      '/status/?'
      '/search/?'
      '/billingAccountId/?'
      '/month/?'
      '/sortKey/?'
      '/renewsBy/?'
    ]
    compositeIndexes: [
      [
        {
          path: '/renewsBy'
          order: 'descending'
        }
        {
          path: '/accountId'
          order: 'descending'
        }
      ]
    ]
  }
  {
    // One partition per Stripe event (id = event id), only read and patched by id: nothing indexed but id and _ts
    // (always indexed), the raw payload least of all. A final
    // event expires 90 days after its completion, with the accounts' event history (its own ttl; one not final carries
    // ttl -1 and waits for a replay): their payloads carry customers' personal data. The default applies to older ones.
    name: 'stripe-events'
    partitionKeyPath: '/id'
    defaultTtl: 7776000
    includedPaths: []
    compositeIndexes: []
  }
  {
    // One partition per Stripe customer (id = customer id), mapped to its account with one point read: nothing indexed.
    name: 'stripe-customers'
    partitionKeyPath: '/id'
    defaultTtl: null
    includedPaths: []
    compositeIndexes: []
  }
]

var databaseOptions = throughputMode == 'autoscale'
  ? { autoscaleSettings: { maxThroughput: throughput } }
  : throughputMode == 'manual' ? { throughput: throughput } : {}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: throughputMode == 'serverless' ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    enableAutomaticFailover: false
    enableMultipleWriteLocations: false
  }
}

// A logical partition holds at most 20 GB (data and index), and an account's partition holds its usage idempotency keys
// (docs/deploy.md, "Storage per account"). Only this resource log says how large the largest logical partitions are
// (outliers, 1 GB or more, from a sample: approximate): it goes to the workspace's CDBPartitionKeyStatistics table, which
// the partition size alert reads. It is a handful of rows per report; no other category is collected.
resource partitionKeyStatistics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: account
  name: 'partition-key-statistics'
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'PartitionKeyStatistics'
        enabled: true
      }
    ]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: databaseOptions
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [
              container.partitionKeyPath
            ]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: {
            indexingMode: 'consistent'
            automatic: true
            // Opt-in: the whole document is excluded and only the paths the container's queries read are included.
            includedPaths: map(container.includedPaths, path => { path: path })
            excludedPaths: [
              {
                path: '/*'
              }
              {
                path: '/"_etag"/?'
              }
            ]
            compositeIndexes: container.compositeIndexes
          }
        },
        container.defaultTtl == null ? {} : { defaultTtl: container.defaultTtl }
      )
    }
  }
]

// The stored procedure that records usage in one request (src/Billing.Cosmos/Usage/record-usage.js, the file the
// app embeds and the provisioner registers locally). Its id carries its version: a changed behaviour gets a new id.
resource recordUsage 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures@2024-11-15' = {
  parent: sqlContainers[0]
  name: 'recordUsage-v5'
  properties: {
    resource: {
      id: 'recordUsage-v5'
      body: loadTextContent('../../src/Billing.Cosmos/Usage/record-usage.js')
    }
  }
}

// The stored procedure that takes and releases allocation units (src/Billing.Cosmos/Usage/allocate.js), versioned the same way.
resource allocate 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures@2024-11-15' = {
  parent: sqlContainers[0]
  name: 'allocate-v3'
  properties: {
    resource: {
      id: 'allocate-v3'
      body: loadTextContent('../../src/Billing.Cosmos/Usage/allocate.js')
    }
  }
}

output name string = account.name
output id string = account.id
output endpoint string = account.properties.documentEndpoint
