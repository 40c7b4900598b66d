// Function app on Flex Consumption (FC1, Linux, dotnet-isolated 10.0) running as a user-assigned identity.
// App settings are identity-based only; the exact set is the contract in infra/app-settings.contract.json
// (checked by tests/RagFunctions.Infra.Tests).
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100
param runtimeVersion string = '10.0'

param openAiEndpoint string
param chatDeploymentName string
param embeddingDeploymentName string
param embeddingDimensions int
param searchEndpoint string
param searchIndexName string
param cosmosEndpoint string
param cosmosDatabaseName string
param cosmosContainerName string
param serviceBusFullyQualifiedNamespace string
param assessmentQueueName string
param notificationsTopicName string
@description('RagFunctions:Cors:AllowedOrigins on Azure: comma-separated browser origins answered by the platform CORS (siteConfig.cors); empty = none.')
param corsAllowedOrigins string = ''

// Platform CORS runs in front of App Service Authentication, so browser preflights (which carry no token) get their answer
// instead of a 401; the app itself adds no CORS headers on Azure (see RagFunctions.Api/Cors/CorsSetup.cs).
var corsOrigins = map(filter(split(corsAllowedOrigins, ','), o => !empty(trim(o))), o => trim(o))

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        allowedOrigins: corsOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }
}

// Flex Consumption takes the worker runtime from functionAppConfig.runtime, so FUNCTIONS_WORKER_RUNTIME
// is not set here (it stays in local.settings.sample.json for `func start`).
var appSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
  RagFunctions__Identity__ManagedIdentityClientId: identityClientId
  RagFunctions__Auth__TrustEasyAuthHeader: 'true'
  RagFunctions__OpenAI__Endpoint: openAiEndpoint
  RagFunctions__OpenAI__Kind: 'azure'
  RagFunctions__OpenAI__EmbeddingModel: embeddingDeploymentName
  RagFunctions__Embedding__Dimensions: string(embeddingDimensions)
  RagFunctions__Chat__Models__0__Name: chatDeploymentName
  RagFunctions__AzureSearch__Endpoint: searchEndpoint
  RagFunctions__AzureSearch__IndexName: searchIndexName
  RagFunctions__Cosmos__Endpoint: cosmosEndpoint
  RagFunctions__Cosmos__Database: cosmosDatabaseName
  RagFunctions__Cosmos__Container: cosmosContainerName
  RagFunctions__Assessment__QueueName: assessmentQueueName
  RagFunctions__Assessment__NotificationsTopic: notificationsTopicName
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
