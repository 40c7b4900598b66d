targetScope = 'subscription'

// ---------- azd-supplied ----------
@minLength(1)
@maxLength(64)
@description('azd environment name; seeds resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Primary location for all resources (must offer Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID); empty skips the user role assignments.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Application (client) id of the Entra ID app registration that protects the API (preprovision hook creates one when empty).')
@minLength(36)
param authClientId string

// ---------- naming ----------
param resourceGroupName string = ''

// ---------- Azure OpenAI ----------
@description('Region for Azure OpenAI when the models are not offered in `location`; empty means `location`.')
param openAiLocation string = ''
param chatDeploymentName string = 'chat'
param chatModelName string = 'gpt-4o-mini'
param chatModelVersion string = '2024-07-18'
param chatDeploymentSku string = 'GlobalStandard'
@minValue(1)
param chatDeploymentCapacity int = 30
param embeddingDeploymentName string = 'embedding'
param embeddingModelName string = 'text-embedding-3-small'
param embeddingModelVersion string = '1'
param embeddingDeploymentSku string = 'Standard'
@minValue(1)
param embeddingDeploymentCapacity int = 30
@description('Vector size; must match the embedding model (text-embedding-3-small: 1536).')
param embeddingDimensions int = 1536

// ---------- Azure AI Search ----------
@allowed([
  'basic'
  'standard'
])
param searchSku string = 'basic'
@allowed([
  'disabled'
  'free'
  'standard'
])
param semanticSearch string = 'free'
param searchIndexName string = 'ragfunctions-chunks'

// ---------- Cosmos DB ----------
param cosmosDatabaseName string = 'ragfunctions'
param cosmosContainerName string = 'history'

// ---------- Service Bus ----------
param assessmentQueueName string = 'assessment-events'
param notificationsTopicName string = 'notifications'
@minValue(1)
param assessmentMaxDeliveryCount int = 5

// ---------- Function app ----------
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100
@description('Name of the Event Grid blob-triggered function in RagFunctions.App (Host.Functions.<name> in the webhook URL).')
param blobTriggerFunctionName string = 'DocumentBlobTrigger'
@description('Create the Event Grid subscription in Bicep. Needs the deployed app (blobs_extension key); the postdeploy hook turns it on after the first deploy.')
param documentsEventSubscriptionEnabled bool = false
@description('Browser origins allowed to call the API (RagFunctions:Cors:AllowedOrigins), comma-separated, e.g. https://app.example.com; empty = none.')
param corsAllowedOrigins string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var documentsContainerName = 'documents'
var deploymentContainerName = 'app-package'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    documentsContainerName: documentsContainerName
    deploymentContainerName: deploymentContainerName
    systemTopicName: '${abbrs.eventGridSystemTopics}documents-${resourceToken}'
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containerName: cosmosContainerName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

module search 'modules/search.bicep' = {
  name: 'search'
  scope: rg
  params: {
    name: '${abbrs.searchSearchServices}${resourceToken}'
    location: location
    tags: tags
    sku: searchSku
    semanticSearch: semanticSearch
  }
}

module openAi 'modules/openai.bicep' = {
  name: 'openai'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesAccounts}${resourceToken}'
    location: !empty(openAiLocation) ? openAiLocation : location
    tags: tags
    chatDeploymentName: chatDeploymentName
    chatModelName: chatModelName
    chatModelVersion: chatModelVersion
    chatDeploymentSku: chatDeploymentSku
    chatDeploymentCapacity: chatDeploymentCapacity
    embeddingDeploymentName: embeddingDeploymentName
    embeddingModelName: embeddingModelName
    embeddingModelVersion: embeddingModelVersion
    embeddingDeploymentSku: embeddingDeploymentSku
    embeddingDeploymentCapacity: embeddingDeploymentCapacity
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    assessmentQueueName: assessmentQueueName
    notificationsTopicName: notificationsTopicName
    maxDeliveryCount: assessmentMaxDeliveryCount
  }
}

// Role assignments first: the Flex host reads its deployment package and AzureWebJobsStorage with the identity.
module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    storageAccountName: storage.outputs.name
    searchServiceName: search.outputs.name
    openAiAccountName: openAi.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    openAiEndpoint: openAi.outputs.endpoint
    chatDeploymentName: openAi.outputs.chatDeploymentName
    embeddingDeploymentName: openAi.outputs.embeddingDeploymentName
    embeddingDimensions: embeddingDimensions
    searchEndpoint: search.outputs.endpoint
    searchIndexName: searchIndexName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    cosmosContainerName: cosmos.outputs.containerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    assessmentQueueName: serviceBus.outputs.queueName
    notificationsTopicName: serviceBus.outputs.topicName
    corsAllowedOrigins: corsAllowedOrigins
  }
}

module auth 'modules/auth.bicep' = {
  name: 'auth'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    clientId: authClientId
  }
}

module documentsSubscription 'modules/eventgrid-subscription.bicep' = if (documentsEventSubscriptionEnabled) {
  name: 'documents-subscription'
  scope: rg
  params: {
    systemTopicName: storage.outputs.systemTopicName
    functionAppName: functionApp.outputs.name
    blobTriggerFunctionName: blobTriggerFunctionName
    documentsContainerName: storage.outputs.documentsContainerName
  }
}

// ---------- outputs (azd writes them to .azure/<env>/.env; hooks and docs/deploy.md use them) ----------
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_AUTH_CLIENT_ID string = authClientId
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_BLOB_TRIGGER_FUNCTION_NAME string = blobTriggerFunctionName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.primaryBlobEndpoint
output AZURE_STORAGE_DOCUMENTS_CONTAINER string = storage.outputs.documentsContainerName
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output AZURE_COSMOS_ACCOUNT_NAME string = cosmos.outputs.name
output AZURE_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output AZURE_COSMOS_DATABASE string = cosmos.outputs.databaseName
output AZURE_COSMOS_CONTAINER string = cosmos.outputs.containerName
output AZURE_SEARCH_SERVICE_NAME string = search.outputs.name
output AZURE_SEARCH_ENDPOINT string = search.outputs.endpoint
output AZURE_SEARCH_INDEX_NAME string = searchIndexName
output AZURE_OPENAI_ACCOUNT_NAME string = openAi.outputs.name
output AZURE_OPENAI_ENDPOINT string = openAi.outputs.endpoint
output AZURE_OPENAI_CHAT_DEPLOYMENT string = openAi.outputs.chatDeploymentName
output AZURE_OPENAI_EMBEDDING_DEPLOYMENT string = openAi.outputs.embeddingDeploymentName
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.name
output AZURE_SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_SERVICEBUS_ASSESSMENT_QUEUE string = serviceBus.outputs.queueName
output AZURE_SERVICEBUS_NOTIFICATIONS_TOPIC string = serviceBus.outputs.topicName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_NAME string = monitoring.outputs.logAnalyticsName
