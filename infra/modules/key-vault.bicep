// Key Vault (RBAC authorization) for the Stripe secret key and the webhook signing secrets. The app reads them as
// Key Vault references (@Microsoft.KeyVault(SecretUri=...), built in main.bicep) with its user-assigned identity, which
// holds Key Vault Secrets User on this vault only (access.bicep). The references name the secret version this
// deployment wrote: a changed secret is a changed app setting, so the app restarts with it at once (a versionless
// reference would be re-read only within a day).

param name string
param location string
param tags object

@description('Keep deleted vaults purge-protected for the retention period (recommended; `azd down --purge` then cannot purge it).')
param enablePurgeProtection bool

@secure()
@description('Stripe secret (sk_) or restricted (rk_) key.')
param stripeSecretKey string

@secure()
@description('The webhook endpoint\'s signing secret (whsec_...).')
param stripeWebhookSecret string

@secure()
@description('A second accepted signing secret while one is rotated or a second endpoint delivers (e.g. a new API version); empty: none.')
param stripeWebhookSecretPrevious string

@description('Secret names: the Stripe key, and the prefix of the two webhook secrets (then 0 and 1).')
param stripeKeySecretName string
param webhookSecretNamePrefix string

// Always two webhook secrets, so the app settings are the same whatever is rotated: without a second secret, the
// second one repeats the first (the app accepts a signature under any of its secrets).
var webhookSecrets = [
  stripeWebhookSecret
  empty(stripeWebhookSecretPrevious) ? stripeWebhookSecret : stripeWebhookSecretPrevious
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource stripeKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: stripeKeySecretName
  properties: {
    value: stripeSecretKey
    contentType: 'Stripe API key'
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for (secret, i) in webhookSecrets: {
    parent: vault
    name: '${webhookSecretNamePrefix}${i}'
    properties: {
      value: secret
      contentType: 'Stripe webhook signing secret'
    }
  }
]

output name string = vault.name
output id string = vault.id
output stripeKeyUri string = stripeKey.properties.secretUriWithVersion
output webhookSigningUris string[] = [
  webhookSecret[0].properties.secretUriWithVersion
  webhookSecret[1].properties.secretUriWithVersion
]
