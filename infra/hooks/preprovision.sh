#!/bin/sh
# Ensures AZURE_AUTH_CLIENT_ID names an Entra ID app registration that protects the API (Easy Auth).
# Supply your own with `azd env set AZURE_AUTH_CLIENT_ID <appId>`; otherwise one is created here.
set -eu

if [ -n "${AZURE_AUTH_CLIENT_ID:-}" ]; then
  echo "Using app registration ${AZURE_AUTH_CLIENT_ID} for App Service Authentication."
  exit 0
fi

command -v az >/dev/null 2>&1 || { echo "The Azure CLI (az) is required to create the app registration." >&2; exit 1; }

display_name="ragfunctions-${AZURE_ENV_NAME}"
app_id=$(az ad app list --display-name "$display_name" --query "[0].appId" -o tsv)
if [ -z "$app_id" ]; then
  echo "Creating app registration $display_name ..."
  app_id=$(az ad app create --display-name "$display_name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
fi
object_id=$(az ad app show --id "$app_id" --query id -o tsv)

# Expose api://<appId>/user_impersonation and pre-authorize the Azure CLI, so
# `az account get-access-token --scope api://<appId>/user_impersonation` works for testing.
scope_id=$(az ad app show --id "$app_id" --query "api.oauth2PermissionScopes[?value=='user_impersonation'].id | [0]" -o tsv)
if [ -z "$scope_id" ]; then
  scope_id=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)
  az ad app update --id "$app_id" --identifier-uris "api://$app_id"
  az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
    --headers "Content-Type=application/json" \
    --body "{\"api\":{\"requestedAccessTokenVersion\":2,\"oauth2PermissionScopes\":[{\"id\":\"$scope_id\",\"value\":\"user_impersonation\",\"type\":\"User\",\"isEnabled\":true,\"adminConsentDisplayName\":\"Access RagFunctions\",\"adminConsentDescription\":\"Call the RagFunctions API as the signed-in user.\",\"userConsentDisplayName\":\"Access RagFunctions\",\"userConsentDescription\":\"Call the RagFunctions API as you.\"}]}}"
  # 04b07795-8ddb-461a-bbee-02f9e1bf7b46 is the Azure CLI's public client id.
  az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
    --headers "Content-Type=application/json" \
    --body "{\"api\":{\"preAuthorizedApplications\":[{\"appId\":\"04b07795-8ddb-461a-bbee-02f9e1bf7b46\",\"delegatedPermissionIds\":[\"$scope_id\"]}]}}"
fi
az ad sp show --id "$app_id" >/dev/null 2>&1 || az ad sp create --id "$app_id" >/dev/null

azd env set AZURE_AUTH_CLIENT_ID "$app_id"
echo "App registration $app_id will protect the API (AZURE_AUTH_CLIENT_ID)."
