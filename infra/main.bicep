// One SupportHub deployment: a customer's own function app with its storage, Service Bus, Key Vault,
// Communication Services and Application Insights. Deployed per customer with
//   az deployment group create -g <rg> --parameters infra/customers/<name>.bicepparam
// (the parameters file names this template with `using`). See docs in the README, "First deployment".
targetScope = 'resourceGroup'

@description('Short customer name, lower-case letters and digits: part of every resource name.')
@minLength(2)
@maxLength(10)
param customer string

param location string = resourceGroup().location

@description('The customer\'s support policy (JSON), passed to the app as SupportHub__PolicyJson.')
param policyJson string

@description('Sender address of email notifications (a SendGrid verified sender).')
param sendGridFromEmail string

param sendGridFromName string = 'Support'

@secure()
@description('SendGrid API key with Mail Send permission; kept in Key Vault.')
param sendGridApiKey string

@description('SMS sender number in E.164, acquired on the Communication Services resource after the first deployment; empty leaves SMS off.')
param acsFromNumber string = ''

@description('Where ACS stores data at rest.')
param acsDataLocation string = 'United States'

@description('Entra app registration named by the Teams app (webApplicationInfo.id); empty leaves Teams off.')
param graphClientId string = ''

@secure()
param graphClientSecret string = ''

@secure()
@description('Key for the agent routes (x-functions-key).')
param apiKey string

@secure()
param intakeEmailSecret string

@secure()
param intakeChatSecret string

@secure()
param intakePhoneSecret string

@secure()
param intakeSmsSecret string

@secure()
@description('Key that signs acknowledge/approve links: at least 32 characters.')
param linkSigningKey string

@description('Flex Consumption runtime stack. The app is a self-contained custom handler (host.json customHandler), so the stack only selects the worker image.')
param functionRuntimeName string = 'custom'

param functionRuntimeVersion string = '1.0'

param maximumInstanceCount int = 40

param instanceMemoryMB int = 2048

var suffix = uniqueString(resourceGroup().id, customer)
var names = {
  functionApp: 'func-supporthub-${customer}-${suffix}'
  plan: 'plan-supporthub-${customer}-${suffix}'
  storage: take('st${customer}${suffix}', 24)
  serviceBus: 'sb-supporthub-${customer}-${suffix}'
  keyVault: take('kv-sh-${customer}-${suffix}', 24)
  communication: 'acs-supporthub-${customer}-${suffix}'
  logs: 'log-supporthub-${customer}-${suffix}'
  insights: 'appi-supporthub-${customer}-${suffix}'
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    logAnalyticsName: names.logs
    applicationInsightsName: names.insights
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storage
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    name: names.serviceBus
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  params: {
    name: names.communication
    dataLocation: acsDataLocation
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: names.keyVault
    communicationServicesName: communication.outputs.name
    secrets: {
      'sendgrid-api-key': sendGridApiKey
      'graph-client-secret': graphClientSecret
      'api-key': apiKey
      'intake-email': intakeEmailSecret
      'intake-chat': intakeChatSecret
      'intake-phone': intakePhoneSecret
      'intake-sms': intakeSmsSecret
      'link-signing-key': linkSigningKey
    }
  }
}

var vault = keyVault.outputs.uri
var teamsSettings = empty(graphClientId) ? {} : {
  SupportHub__Graph__TenantId: tenant().tenantId
  SupportHub__Graph__ClientId: graphClientId
  SupportHub__Graph__ClientSecret: '@Microsoft.KeyVault(SecretUri=${vault}secrets/graph-client-secret/)'
}
var smsSettings = empty(acsFromNumber) ? {} : {
  SupportHub__Acs__Endpoint: 'https://${communication.outputs.hostName}'
  SupportHub__Acs__AccessKey: '@Microsoft.KeyVault(SecretUri=${vault}secrets/acs-access-key/)'
  SupportHub__Acs__From: acsFromNumber
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    name: names.functionApp
    planName: names.plan
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    runtimeName: functionRuntimeName
    runtimeVersion: functionRuntimeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: union({
      ServiceBus__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      SupportHub__ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      SupportHub__Tables__Endpoint: storage.outputs.tableEndpoint
      SupportHub__DataPath: '/tmp/supporthub'
      SupportHub__PolicyJson: policyJson
      SupportHub__ApiKey: '@Microsoft.KeyVault(SecretUri=${vault}secrets/api-key/)'
      SupportHub__Secrets__Email: '@Microsoft.KeyVault(SecretUri=${vault}secrets/intake-email/)'
      SupportHub__Secrets__Chat: '@Microsoft.KeyVault(SecretUri=${vault}secrets/intake-chat/)'
      SupportHub__Secrets__Phone: '@Microsoft.KeyVault(SecretUri=${vault}secrets/intake-phone/)'
      SupportHub__Secrets__Sms: '@Microsoft.KeyVault(SecretUri=${vault}secrets/intake-sms/)'
      SupportHub__LinkSigningKey: '@Microsoft.KeyVault(SecretUri=${vault}secrets/link-signing-key/)'
      SupportHub__SendGrid__ApiKey: '@Microsoft.KeyVault(SecretUri=${vault}secrets/sendgrid-api-key/)'
      SupportHub__SendGrid__FromEmail: sendGridFromEmail
      SupportHub__SendGrid__FromName: sendGridFromName
    }, smsSettings, teamsSettings)
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output communicationServicesName string = communication.outputs.name
output keyVaultName string = keyVault.outputs.name
