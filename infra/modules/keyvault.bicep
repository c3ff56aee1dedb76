// Key Vault (RBAC) holding the app's secrets; app settings reference them with
// @Microsoft.KeyVault(SecretUri=...), resolved with the app's identity (Key Vault Secrets User).
// Empty secrets (an unused channel) are not written.
param location string
param name string
param communicationServicesName string

@secure()
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource given 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in items(secrets): if (!empty(secret.value)) {
  parent: vault
  name: secret.key
  properties: {
    value: secret.value
  }
}]

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServicesName
}

resource acsKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'acs-access-key'
  properties: {
    value: communication.listKeys().primaryKey
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
