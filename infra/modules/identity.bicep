// The user-assigned managed identity of the function app. It is the only identity the app uses: for host storage
// (AzureWebJobsStorage__clientId), the app's own queue clients, Cosmos DB (Billing__Cosmos__ManagedIdentityClientId),
// Key Vault references (keyVaultReferenceIdentity), the deployment package and Application Insights ingestion.
// Its roles are all granted in access.bicep.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
