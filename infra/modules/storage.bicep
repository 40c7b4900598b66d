// Storage account for the Functions host (AzureWebJobsStorage: Durable task hub, blob trigger receipts),
// the deployment package container, the user's `documents` container and `ingestion-staging` (chunk and vector
// batches of running ingestions, so orchestration payloads carry references). Shared keys are off.
param name string
param location string
param tags object
param documentsContainerName string
param deploymentContainerName string
param systemTopicName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource documents 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: documentsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Name fixed in code: RagFunctions.Azure.Ingestion.BlobIngestionStaging.ContainerName. The app identity's Storage Blob
// Data Owner on the account covers it. A run deletes its blobs when it ends; the lifecycle rule below removes what a
// run that never ended (a terminated orchestration) left behind.
resource ingestionStaging 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'ingestion-staging'
  properties: {
    publicAccess: 'None'
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-ingestion-staging'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${ingestionStaging.name}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: 7
                }
              }
            }
          }
        }
      ]
    }
  }
}

// Flex Consumption supports only the Event Grid source for blob triggers. The system topic lives here;
// the subscription needs the deployed function's blobs_extension key, so it is created after deploy
// (eventgrid-subscription.bicep on re-provision, or the postdeploy hook on the first `azd up`).
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = storage.name
output id string = storage.id
output primaryBlobEndpoint string = storage.properties.primaryEndpoints.blob
output documentsContainerName string = documents.name
output deploymentContainerName string = deployment.name
output ingestionStagingContainerName string = ingestionStaging.name
output systemTopicName string = systemTopic.name
