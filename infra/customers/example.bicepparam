// The sample customer: Example Software, with the repository's sample policy. Copy this file as
// infra/customers/<name>.bicepparam (and its policy beside it) for each customer. Secrets are read
// from the deploying job's environment (GitHub secrets in .github/workflows/deploy.yml), never
// written here.
using '../main.bicep'

param customer = 'example'
param policyJson = loadTextContent('../../samples/policy.json')

param sendGridFromEmail = 'support@example.com'
param sendGridFromName = 'Example Software Support'
param sendGridApiKey = readEnvironmentVariable('SENDGRID_API_KEY')

// Set after buying a number on the Communication Services resource; empty leaves SMS off.
param acsFromNumber = readEnvironmentVariable('ACS_FROM_NUMBER', '')

// The Entra app registration the Teams app names; empty leaves Teams off.
param graphClientId = readEnvironmentVariable('GRAPH_CLIENT_ID', '')
param graphClientSecret = readEnvironmentVariable('GRAPH_CLIENT_SECRET', '')

param apiKey = readEnvironmentVariable('SUPPORTHUB_API_KEY')
param intakeEmailSecret = readEnvironmentVariable('SUPPORTHUB_SECRET_EMAIL')
param intakeChatSecret = readEnvironmentVariable('SUPPORTHUB_SECRET_CHAT')
param intakePhoneSecret = readEnvironmentVariable('SUPPORTHUB_SECRET_PHONE')
param intakeSmsSecret = readEnvironmentVariable('SUPPORTHUB_SECRET_SMS')
param linkSigningKey = readEnvironmentVariable('SUPPORTHUB_LINK_SIGNING_KEY')
