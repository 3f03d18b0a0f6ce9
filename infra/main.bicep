// Billing on Azure, for `azd up`: a resource group with the function app (Flex Consumption), its storage account and
// queues, Cosmos DB, Key Vault, Application Insights and alerts, and the one managed identity the app uses.
// Every app setting the code reads is set here (docs/deploy.md lists them); tests/Billing.Infra.Tests compiles, lints
// and checks this template against the code.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------------------
// Environment (azd fills these)

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

// ---------------------------------------------------------------------------------------------------------------
// The frontend and sign-in

@description('The frontend\'s origins, comma-separated (https://app.example.com): CORS, and the redirect targets a request may name.')
param frontendOrigins string

@description('Checkout success page (default: the first origin + /billing/success?session_id={CHECKOUT_SESSION_ID}).')
param checkoutSuccessUrl string = '${originOf(split(frontendOrigins, ',')[0])}/billing/success?session_id={CHECKOUT_SESSION_ID}'

@description('Where Checkout returns when the customer backs out (default: the first origin + /billing).')
param checkoutCancelUrl string = '${originOf(split(frontendOrigins, ',')[0])}/billing'

@description('Where the customer portal returns (default: the first origin + /billing).')
param portalReturnUrl string = '${originOf(split(frontendOrigins, ',')[0])}/billing'

@description('OIDC authority whose discovery document and keys sign the users\' tokens (https).')
param authAuthority string

@description('The tokens\' iss (default, and when empty: the authority).')
param authIssuer string = authAuthority

@description('The tokens\' aud.')
param authAudience string

@description('The claim naming the billing account: sub (one account per user; default, and when empty) or an organisation claim.')
param authAccountClaim string = 'sub'

@description('The claim holding roles, and the role that may call the admin endpoints.')
param authRoleClaim string = 'roles'
param authAdminRole string = 'billing.admin'

@description('API keys of the product\'s backend for the metering endpoints, by name and hex SHA-256 (`billing apikey new` or `billing apikey hash`); none: service tokens only.')
param serviceApiKeys { name: string, sha256: string }[] = []

@description('The scope a service token must carry on the metering endpoints.')
param serviceTokenScope string = 'billing.usage'

@description('The OAuth client ids of the product\'s backend whose tokens may call the metering endpoints (matched against azp, client_id, appid or cid (Okta)); none: API keys only.')
param serviceTokenClientIds string[] = []

// ---------------------------------------------------------------------------------------------------------------
// Stripe (secrets go to Key Vault, never to app settings)

@secure()
@description('Stripe secret key (sk_live_/sk_test_) or restricted key (rk_...).')
param stripeSecretKey string

@secure()
@description('Signing secret (whsec_...) of the Stripe webhook endpoint.')
param stripeWebhookSecret string

@secure()
@description('A second accepted signing secret (the old one during a rotation, or a second endpoint\'s); empty for none.')
param stripeWebhookSecretPrevious string = ''

// ---------------------------------------------------------------------------------------------------------------
// Product configuration

@description('The plan catalog (the Billing:Catalog section; docs/stripe.md): plans, quotas and your Stripe price ids.')
param planCatalog object = loadJsonContent('plan-catalog.json')

@description('The credit packs and add-ons on sale (the Billing:Purchases section; docs/api.md, "Prepaid credits and add-ons"): codes, your Stripe one-time price ids, what each grants. Empty lists sell nothing.')
param purchases object = loadJsonContent('purchases.json')

@description('How long a past_due or unpaid subscription keeps its plan (d.hh:mm:ss).')
param pastDueGracePeriod string = '7.00:00:00'

@description('NCRONTAB (UTC) of the usage invoicing timer.')
param monthlyInvoicingSchedule string = '0 0 2 * * *'

@description('NCRONTAB (UTC) of the missed-event sweep.')
param missedEventSweepSchedule string = '0 15 * * * *'

@description('Alert when the usage invoicing timer has not run for this many hours: more than the longest gap between two occurrences of monthlyInvoicingSchedule (change both together), at most 47 (the alert reads two days).')
@minValue(1)
@maxValue(47)
param monthlyInvoicingSilenceHours int = 26

@description('Alert when the missed-event sweep has not run for this many hours: more than the longest gap of missedEventSweepSchedule (change both together), at most 47.')
@minValue(1)
@maxValue(47)
param missedEventSweepSilenceHours int = 3

@description('Any other app setting, or an override of one set here (e.g. {"Billing__RateLimits__RequestsPerMinute": "60"}).')
param appSettingOverrides object = {}

// ---------------------------------------------------------------------------------------------------------------
// Scale, data and operations

@description('Upper bound of instances. Each instance has its own Stripe request budget, an equal share of stripeRateLimit (see there).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 20

@description('Stripe\'s rate limit for the account in requests per second; 0 (the default): Stripe\'s own for the mode of the key, 100 in live mode and 25 in test mode. Each instance spends at most 80 % of it divided by maximumInstanceCount (Stripe__RequestsPerSecond with a live key, Stripe__TestModeRequestsPerSecond with a test-mode one; at least 1 and at most the 100 the app takes), so the app stays under it even at full scale (up to 80 instances in live mode, 20 in test mode).')
@minValue(0)
param stripeRateLimit int = 0

var stripeRequestsPerSecond = min(100, max(1, ((stripeRateLimit > 0 ? stripeRateLimit : 100) * 8) / (10 * maximumInstanceCount)))
var stripeTestModeRequestsPerSecond = min(100, max(1, ((stripeRateLimit > 0 ? stripeRateLimit : 25) * 8) / (10 * maximumInstanceCount)))

@description('Memory of each instance (MB); billing is per GB-second of it.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances (billed while idle), e.g. [{"name": "http", "instanceCount": 1}] to avoid cold starts on the HTTP functions.')
param alwaysReady { name: string, instanceCount: int }[] = []

param stripeEventsQueue string = 'stripe-events'
param invoiceJobsQueue string = 'invoice-jobs'
param notificationsQueue string = 'billing-notifications'

@description('Object ids of the Entra principals (the product\'s managed identity, service principal, user or group) that consume the notifications queue: each gets Storage Queue Data Message Processor on that queue only (shared keys are off, so a connection string cannot read it). docs/notifications.md')
param notificationConsumerPrincipalIds string[] = []

param cosmosDatabaseName string = 'billing'

@allowed([
  'serverless'
  'autoscale'
  'manual'
])
param cosmosThroughputMode string = 'serverless'

@description('autoscale: maximum RU/s (1000 or more); manual: RU/s (400 or more), shared by the containers.')
@minValue(400)
param cosmosThroughput int = 1000

@description('Where alerts are e-mailed.')
param alertEmail string

@minValue(1)
@maxValue(100)
param http5xxPercentThreshold int = 5

@minValue(1)
param http5xxMinimumRequests int = 20

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

param keyVaultPurgeProtection bool = true

// ---------------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var stripeKeySecretName = 'stripe-secret-key'
var webhookSecretNamePrefix = 'stripe-webhook-secret-'
var origins = filter(map(split(frontendOrigins, ','), origin => originOf(origin)), origin => !empty(origin))
var poisonSuffix = '-poison'
var queueNames = [
  stripeEventsQueue
  '${stripeEventsQueue}${poisonSuffix}'
  invoiceJobsQueue
  '${invoiceJobsQueue}${poisonSuffix}'
  notificationsQueue
  '${notificationsQueue}${poisonSuffix}'
]

var names = {
  identity: 'id-billing-${resourceToken}'
  workspace: 'log-billing-${resourceToken}'
  applicationInsights: 'appi-billing-${resourceToken}'
  storage: 'st${resourceToken}'
  cosmos: 'cosmos-billing-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-billing-${resourceToken}'
  functionApp: 'func-billing-${resourceToken}'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${resourceToken}'
    queueNames: queueNames
  }
}

module cosmos 'modules/cosmos.bicep' = {
  scope: rg
  name: 'cosmos'
  params: {
    name: names.cosmos
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    throughputMode: cosmosThroughputMode
    throughput: cosmosThroughput
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'modules/key-vault.bicep' = {
  scope: rg
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    stripeSecretKey: stripeSecretKey
    stripeWebhookSecret: stripeWebhookSecret
    stripeWebhookSecretPrevious: stripeWebhookSecretPrevious
    stripeKeySecretName: stripeKeySecretName
    webhookSecretNamePrefix: webhookSecretNamePrefix
  }
}

module access 'modules/access.bicep' = {
  scope: rg
  name: 'access'
  dependsOn: [
    identity
    storage
    monitoring
    keyVault
    cosmos
  ]
  params: {
    identityName: names.identity
    storageAccountName: names.storage
    applicationInsightsName: names.applicationInsights
    keyVaultName: names.keyVault
    cosmosAccountName: names.cosmos
    notificationsQueueName: notificationsQueue
    notificationConsumerPrincipalIds: notificationConsumerPrincipalIds
  }
}

// An origin as a browser sends it: trimmed, without the trailing '/' an operator may type ('https://app.example.com/'),
// which App Service's CORS would never match and which would make the default return URLs start with '//billing'.
func originOf(value string) string => endsWith(trim(value), '/') ? take(trim(value), length(trim(value)) - 1) : trim(value)

// Flattens one level of a configuration object into app-setting names (Section__Key, List__0): nested objects and
// arrays become one entry per member, scalars become strings. Applied as often as the catalog is deep. A value's kind
// is read from its JSON inside a list ('[{' an object, '[[' a list, '["' a string): a text that itself starts with
// '[' or '{' (a display name such as "[Legacy] Pro") stays that text.
func flattenOnce(settings object) object =>
  reduce(
    items(settings),
    {},
    (flat, entry) =>
      union(
        flat,
        startsWith(string([entry.value]), '[{')
          ? toObject(items(entry.value), member => '${entry.key}__${member.key}', member => member.value)
          : startsWith(string([entry.value]), '[[')
              ? toObject(range(0, length(entry.value)), i => '${entry.key}__${i}', i => entry.value[i])
              : { '${entry.key}': string(entry.value) }
      )
  )

// The catalog is at most 8 levels deep (Plans > 0 > Meters > tokens > Overage > Tiers > 0 > UpTo), the purchases 3
// (CreditPacks > 0 > Code); two spare passes. Both sections go through the same passes.
// (One variable per pass: the deployment engine refuses a function applied to its own result in one expression.)
var catalog1 = flattenOnce({ Billing__Catalog: planCatalog, Billing__Purchases: purchases })
var catalog2 = flattenOnce(catalog1)
var catalog3 = flattenOnce(catalog2)
var catalog4 = flattenOnce(catalog3)
var catalog5 = flattenOnce(catalog4)
var catalog6 = flattenOnce(catalog5)
var catalog7 = flattenOnce(catalog6)
var catalog8 = flattenOnce(catalog7)
var catalog9 = flattenOnce(catalog8)
var catalogSettings = flattenOnce(catalog9)

var originSettings = toObject(range(0, length(origins)), i => 'Billing__Redirects__AllowedOrigins__${i}', i => origins[i])

var serviceClientSettings = toObject(range(0, length(serviceTokenClientIds)), i => 'Billing__ServiceAuth__ClientIds__${i}', i => serviceTokenClientIds[i])

var apiKeySettings = reduce(
  range(0, length(serviceApiKeys)),
  {},
  (all, i) =>
    union(all, {
      'Billing__ServiceAuth__ApiKeys__${i}__Name': serviceApiKeys[i].name
      'Billing__ServiceAuth__ApiKeys__${i}__Sha256': serviceApiKeys[i].sha256
    })
)

// The settings the code reads (local.settings.sample.json lists them with their local values). Tuning values are the
// code's defaults, written out so the deployed configuration is complete and visible; override any through
// appSettingOverrides.
var appSettings = {
  // Host storage and the app's queues, with the managed identity (no keys: shared-key access is off).
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  STRIPE_EVENTS_QUEUE: stripeEventsQueue
  INVOICE_JOBS_QUEUE: invoiceJobsQueue
  BILLING_NOTIFICATIONS_QUEUE: notificationsQueue
  MONTHLY_INVOICING_SCHEDULE: monthlyInvoicingSchedule
  MISSED_EVENT_SWEEP_SCHEDULE: missedEventSweepSchedule

  // Telemetry from the host (and the worker's logs through it), sent with the managed identity.
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'

  Auth__Authority: authAuthority
  // azd passes an empty string for a variable set to "" (and, before azd 1.15.0, for an unset one) rather than leaving
  // the parameter to its default; the app refuses to start with an empty issuer or account claim.
  Auth__Issuer: empty(authIssuer) ? authAuthority : authIssuer
  Auth__Audience: authAudience
  Auth__AccountClaim: empty(authAccountClaim) ? 'sub' : authAccountClaim
  Auth__RoleClaim: authRoleClaim
  Auth__AdminRole: authAdminRole
  Auth__ClockSkew: '00:01:00'
  Auth__MetadataRefreshInterval: '00:05:00'

  Stripe__SecretKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.stripeKeyUri})'
  Stripe__WebhookSecrets__0: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.webhookSigningUris[0]})'
  Stripe__WebhookSecrets__1: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.webhookSigningUris[1]})'
  Stripe__WebhookTolerance: '00:05:00'
  Stripe__MaxNetworkRetries: '2'
  Stripe__RequestsPerSecond: string(stripeRequestsPerSecond)
  Stripe__TestModeRequestsPerSecond: string(stripeTestModeRequestsPerSecond) // the worker takes this one with a test-mode key
  Stripe__RequestTimeout: '00:00:30'

  Billing__Cosmos__AccountEndpoint: cosmos.outputs.endpoint
  Billing__Cosmos__ManagedIdentityClientId: identity.outputs.clientId
  Billing__Cosmos__DatabaseName: cosmosDatabaseName
  Billing__Cosmos__ProvisionOnStartup: 'false'

  Billing__Webhooks__MaxBodyBytes: '262144'
  Billing__Entitlements__PastDueGracePeriod: pastDueGracePeriod
  Billing__Checkout__SuccessUrl: checkoutSuccessUrl
  Billing__Checkout__CancelUrl: checkoutCancelUrl
  Billing__Checkout__SessionLifetime: '1.00:00:00'
  Billing__Portal__ReturnUrl: portalReturnUrl
  Billing__RateLimits__RequestsPerMinute: '20'
  Billing__ServiceAuth__Scope: serviceTokenScope
  Billing__MissedEventSweep__Grace: '02:00:00'
  Billing__MissedEventSweep__BatchSize: '100'
  Billing__MissedEventSweep__TimeBudget: '00:04:00' // host.json's functionTimeout (00:05:00) less a minute: see docs/webhooks.md#missed-event-sweep
  Billing__MissedEventSweep__Parallelism: '4' // within Stripe__RequestsPerSecond, which every Stripe request draws from
  Billing__SubscriptionSync__ClockSkew: '00:00:05'
  Billing__Usage__LateWindow: '1.00:00:00'
  Billing__Usage__ClockSkew: '00:00:30'
  Billing__Usage__Thresholds__0: '80'
  Billing__Usage__Thresholds__1: '100'
  Billing__Usage__KeyRetention: '45.00:00:00'
  Billing__Invoicing__LookbackDays: '35'
}

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  name: 'function-app'
  dependsOn: [
    access // Key Vault references, host storage and the deployment container need the roles first
  ]
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    runtimeName: 'dotnet-isolated'
    runtimeVersion: '10.0'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReady: alwaysReady
    corsAllowedOrigins: origins
    appSettings: union(appSettings, originSettings, apiKeySettings, serviceClientSettings, catalogSettings, appSettingOverrides)
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  name: 'alerts'
  params: {
    namePrefix: 'billing-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workspaceId: monitoring.outputs.workspaceId
    alertEmail: alertEmail
    http5xxPercentThreshold: http5xxPercentThreshold
    http5xxMinimumRequests: http5xxMinimumRequests
    timerSilenceHours: {
      MonthlyInvoicing: monthlyInvoicingSilenceHours
      MissedEventSweep: missedEventSweepSilenceHours
    }
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output STRIPE_WEBHOOK_URL string = '${functionApp.outputs.uri}/api/stripe/webhook'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
// What the product's consumers of the notifications need (docs/notifications.md): the queue's URL, and the account's
// queue endpoint for a Functions queue trigger's <Name>__queueServiceUri.
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output BILLING_NOTIFICATIONS_QUEUE_URL string = '${storage.outputs.queueEndpoint}${notificationsQueue}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
