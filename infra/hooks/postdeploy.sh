#!/bin/sh
# Wires Event Grid → the deployed blob trigger. Runs after `azd deploy`, when the blobs_extension
# system key exists and Event Grid's endpoint validation can reach the function.
# The key read here is a Functions host key (az functionapp keys list), never a storage account key.
set -eu

if [ "${DOCUMENTS_EVENT_SUBSCRIPTION_ENABLED:-false}" = "true" ]; then
  echo "Event Grid subscription is managed by Bicep (DOCUMENTS_EVENT_SUBSCRIPTION_ENABLED=true)."
  exit 0
fi

blobs_extension=$(az functionapp keys list -n "${AZURE_FUNCTION_APP_NAME}" -g "${AZURE_RESOURCE_GROUP}" --query "systemKeys.blobs_extension" -o tsv)
if [ -z "$blobs_extension" ]; then
  echo "No blobs_extension key yet: is the Event Grid blob trigger ${AZURE_BLOB_TRIGGER_FUNCTION_NAME} deployed?" >&2
  exit 1
fi

endpoint="https://${AZURE_FUNCTION_APP_NAME}.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.${AZURE_BLOB_TRIGGER_FUNCTION_NAME}&code=${blobs_extension}"

az eventgrid system-topic event-subscription create \
  --name documents-to-function \
  --resource-group "${AZURE_RESOURCE_GROUP}" \
  --system-topic-name "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME}" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${AZURE_STORAGE_DOCUMENTS_CONTAINER}/" \
  --max-delivery-attempts 30 --event-ttl 1440 >/dev/null

# The Event Grid blob trigger fires on creation only; deletions go to the Event Grid trigger DocumentBlobDeleted.
eventgrid_extension=$(az functionapp keys list -n "${AZURE_FUNCTION_APP_NAME}" -g "${AZURE_RESOURCE_GROUP}" --query "systemKeys.eventgrid_extension" -o tsv)
if [ -z "$eventgrid_extension" ]; then
  echo "No eventgrid_extension key yet: is the Event Grid trigger DocumentBlobDeleted deployed?" >&2
  exit 1
fi
az eventgrid system-topic event-subscription create \
  --name documents-deleted-to-function \
  --resource-group "${AZURE_RESOURCE_GROUP}" \
  --system-topic-name "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME}" \
  --endpoint-type webhook \
  --endpoint "https://${AZURE_FUNCTION_APP_NAME}.azurewebsites.net/runtime/webhooks/eventgrid?functionName=DocumentBlobDeleted&code=${eventgrid_extension}" \
  --included-event-types Microsoft.Storage.BlobDeleted \
  --subject-begins-with "/blobServices/default/containers/${AZURE_STORAGE_DOCUMENTS_CONTAINER}/" \
  --max-delivery-attempts 30 --event-ttl 1440 >/dev/null

# From now on `azd provision` keeps the same subscription in Bicep (modules/eventgrid-subscription.bicep).
azd env set DOCUMENTS_EVENT_SUBSCRIPTION_ENABLED true
echo "Event Grid subscriptions documents-to-function and documents-deleted-to-function deliver BlobCreated (blob trigger) and BlobDeleted (Event Grid trigger) from '${AZURE_STORAGE_DOCUMENTS_CONTAINER}'."
