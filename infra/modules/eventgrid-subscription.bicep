// Event Grid subscription: BlobCreated/BlobDeleted in `documents` → the function's blob extension webhook.
// Deployed only when enabled: the blobs_extension system key exists once the app code (with its
// Event Grid blob trigger) has been deployed, and Event Grid validates the endpoint on creation.
param systemTopicName string
param functionAppName string
param blobTriggerFunctionName string
param documentsContainerName string
param subscriptionName string = 'documents-to-function'

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// A function host system key, not a data-plane key of storage/Cosmos/Search/OpenAI/Service Bus:
// Event Grid webhooks have no managed-identity delivery to the Functions blob extension endpoint.
var blobsExtensionKey = listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${blobTriggerFunctionName}&code=${blobsExtensionKey}'
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
        'Microsoft.Storage.BlobDeleted'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${documentsContainerName}/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
