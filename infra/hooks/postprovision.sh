#!/bin/sh
# Prints the endpoints azd provisioned and the first steps (values come from main.bicep outputs).
set -eu
cat <<MSG

RagFunctions is provisioned in resource group ${AZURE_RESOURCE_GROUP}.
  API:            ${SERVICE_API_URI}/api
  Storage:        ${AZURE_STORAGE_BLOB_ENDPOINT}${AZURE_STORAGE_DOCUMENTS_CONTAINER}
  Azure OpenAI:   ${AZURE_OPENAI_ENDPOINT} (chat: ${AZURE_OPENAI_CHAT_DEPLOYMENT}, embeddings: ${AZURE_OPENAI_EMBEDDING_DEPLOYMENT})
  AI Search:      ${AZURE_SEARCH_ENDPOINT} (index ${AZURE_SEARCH_INDEX_NAME}, created by the app on first run)
  Cosmos DB:      ${AZURE_COSMOS_ENDPOINT} (${AZURE_COSMOS_DATABASE}/${AZURE_COSMOS_CONTAINER})
  Service Bus:    ${AZURE_SERVICEBUS_FULLY_QUALIFIED_NAMESPACE} (queue ${AZURE_SERVICEBUS_ASSESSMENT_QUEUE}, topic ${AZURE_SERVICEBUS_NOTIFICATIONS_TOPIC})

After deploy, upload a document (Entra ID auth, no keys):
  az storage blob upload --auth-mode login --account-name ${AZURE_STORAGE_ACCOUNT_NAME} \\
    --container-name ${AZURE_STORAGE_DOCUMENTS_CONTAINER} --name <your-user-id>/handbook.pdf --file ./handbook.pdf

Send a test assessment event (Entra ID token, Azure Service Bus Data Sender):
  curl -X POST "https://${AZURE_SERVICEBUS_FULLY_QUALIFIED_NAMESPACE}/${AZURE_SERVICEBUS_ASSESSMENT_QUEUE}/messages" \\
    -H "Authorization: Bearer \$(az account get-access-token --resource https://servicebus.azure.net --query accessToken -o tsv)" \\
    -H "Content-Type: application/json" -d @event.json
(details in docs/deploy.md)
MSG
