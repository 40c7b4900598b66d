// Azure RBAC role assignments (names from guid(), so re-provisioning is idempotent).
// Every GUID below is checked against the BuiltInRoles table in tests/RagFunctions.Infra.Tests.
param appPrincipalId string
@description('Principal id of the deploying user; empty skips every user assignment.')
param userPrincipalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'
param storageAccountName string
param searchServiceName string
param openAiAccountName string
param serviceBusNamespaceName string
param applicationInsightsName string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  searchIndexDataContributor: '8ebe5a00-799e-43f5-93ac-243d3dce84a7' // Search Index Data Contributor
  searchIndexDataReader: '1407120a-92aa-4202-b7e9-c0e197c71c8f' // Search Index Data Reader
  searchServiceContributor: '7ca78c08-252a-4471-8644-bb5ff32d4ba0' // Search Service Contributor
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd' // Cognitive Services OpenAI User
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0' // Azure Service Bus Data Receiver
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39' // Azure Service Bus Data Sender
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

var hasUser = !empty(userPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource search 'Microsoft.Search/searchServices@2023-11-01' existing = {
  name: searchServiceName
}

resource openAi 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: openAiAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Function identity: the Functions host with identity-based AzureWebJobsStorage needs blob (triggers,
// deployment package, leases), queue (Durable control/work-item queues, blob trigger poison queue)
// and table (Durable history/instances) data access.
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in appStorageRoles: {
  scope: storage
  name: guid(storage.id, appPrincipalId, roleId)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

// The app creates the index on first run (Service Contributor) and writes/reads chunks (Index Data Contributor).
var appSearchRoles = [
  roles.searchIndexDataContributor
  roles.searchServiceContributor
]

resource appSearch 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in appSearchRoles: {
  scope: search
  name: guid(search.id, appPrincipalId, roleId)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource appOpenAi 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: openAi
  name: guid(openAi.id, appPrincipalId, roles.cognitiveServicesOpenAiUser)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.cognitiveServicesOpenAiUser)
  }
}

var appServiceBusRoles = [
  roles.serviceBusDataReceiver
  roles.serviceBusDataSender
]

resource appServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in appServiceBusRoles: {
  scope: serviceBus
  name: guid(serviceBus.id, appPrincipalId, roleId)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource appMonitoring 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// Deploying user: upload documents, query the index while debugging, publish a test assessment event.
resource userBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  scope: storage
  name: guid(storage.id, userPrincipalId, roles.storageBlobDataContributor)
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource userSearch 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  scope: search
  name: guid(search.id, userPrincipalId, roles.searchIndexDataReader)
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.searchIndexDataReader)
  }
}

resource userServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  scope: serviceBus
  name: guid(serviceBus.id, userPrincipalId, roles.serviceBusDataSender)
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
  }
}
