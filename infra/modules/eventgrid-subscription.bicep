// Event Grid subscriptions for `documents`: BlobCreated → the Event Grid blob trigger (blob extension webhook);
// BlobDeleted → the Event Grid trigger that removes the document's chunks (the blob trigger never fires on deletes).
// Deployed only when enabled: the blobs_extension system key exists once the app code (with its
// Event Grid blob trigger) has been deployed, and Event Grid validates the endpoint on creation.
param systemTopicName string
param functionAppName string
param blobTriggerFunctionName string
param documentsContainerName string
param subscriptionName string = 'documents-to-function'
param blobDeletedFunctionName string = 'DocumentBlobDeleted'
param deletedSubscriptionName string = 'documents-deleted-to-function'

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// A function host system key, not a data-plane key of storage/Cosmos/Search/OpenAI/Service Bus:
// Event Grid webhooks have no managed-identity delivery to the Functions blob extension endpoint.
var hostKeys = listKeys('${functionApp.id}/host/default', '2024-04-01')
var blobsExtensionKey = hostKeys.systemKeys.blobs_extension
var eventGridExtensionKey = hostKeys.systemKeys.eventgrid_extension

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

resource deletedSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: deletedSubscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/eventgrid?functionName=${blobDeletedFunctionName}&code=${eventGridExtensionKey}'
      }
    }
    filter: {
      includedEventTypes: [
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
