#!/bin/sh
# Ensures AZURE_AUTH_CLIENT_ID names an Entra ID app registration that protects the API (Easy Auth).
# Supply your own with `azd env set AZURE_AUTH_CLIENT_ID <appId>`; otherwise one is created here.
set -eu

# The app role that may upload, replace and delete documents (RagFunctions:Auth:DocumentWriterRole keeps its default).
writer_role="documents.write"

if [ -n "${AZURE_AUTH_CLIENT_ID:-}" ] && [ "${AZURE_AUTH_APP_MANAGED_BY_HOOK:-}" != "true" ]; then
  echo "Using app registration ${AZURE_AUTH_CLIENT_ID} for App Service Authentication."
  echo "Document writers need its app role '$writer_role' (see README, Security model); it is not added to registrations you supply."
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

# The app role document writers are assigned (tokens then carry roles: ["documents.write"], which Easy Auth forwards in
# X-MS-CLIENT-PRINCIPAL), and security-group ids in tokens (the "groups" claim) for documents shared with groups.
# PATCHing appRoles replaces the whole list, so it is only written while the registration has no roles at all.
role_id=$(az ad app show --id "$app_id" --query "appRoles[?value=='$writer_role'].id | [0]" -o tsv)
if [ -z "$role_id" ]; then
  role_count=$(az ad app show --id "$app_id" --query "length(appRoles)" -o tsv)
  if [ "${role_count:-0}" = "0" ]; then
    role_id=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)
    az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
      --headers "Content-Type=application/json" \
      --body "{\"groupMembershipClaims\":\"SecurityGroup\",\"appRoles\":[{\"id\":\"$role_id\",\"allowedMemberTypes\":[\"User\"],\"value\":\"$writer_role\",\"displayName\":\"Document writer\",\"description\":\"Upload, replace and delete RagFunctions documents.\",\"isEnabled\":true}]}"
    echo "Declared app role '$writer_role' on $app_id; assign it to writers (README, Security model)."
  else
    echo "App registration $app_id has other app roles; add '$writer_role' to it yourself (README, Security model)." >&2
  fi
fi

azd env set AZURE_AUTH_APP_MANAGED_BY_HOOK true
azd env set AZURE_AUTH_CLIENT_ID "$app_id"
echo "App registration $app_id will protect the API (AZURE_AUTH_CLIENT_ID)."
