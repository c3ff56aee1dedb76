// Communication Services for SMS. The sending number is bought on the resource after the first
// deployment (portal or `az communication phonenumber`), then set as acsFromNumber. Its data-plane
// role for a managed identity is not documented for SMS, so the app signs with the access key,
// which keyvault.bicep copies into Key Vault.
param name string
param dataLocation string

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: name
  location: 'global'
  properties: {
    dataLocation: dataLocation
  }
}

output name string = communication.name
output hostName string = communication.properties.hostName
