// App Service Authentication (Easy Auth, authsettingsV2) with Entra ID. Unauthenticated requests get 401;
// authenticated callers reach the app with X-MS-CLIENT-PRINCIPAL, which the platform strips from
// client input — the reason RagFunctions:Auth:TrustEasyAuthHeader may be true only behind this module.
param functionAppName string
@description('Application (client) id of the Entra ID app registration that protects the API.')
@minLength(36)
param clientId string
@description('Paths that skip Easy Auth: they are protected by Functions keys instead.')
param keyProtectedPaths array = [
  // Event Grid → blob extension webhook (system key blobs_extension in the URL).
  '/runtime/webhooks/blobs'
  // Event Grid → Event Grid trigger webhook for BlobDeleted (system key eventgrid_extension in the URL).
  '/runtime/webhooks/eventgrid'
  // Assessment events inbox for other services (function key).
  '/api/chat/assessments/events'
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: keyProtectedPaths
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${clientId}'
            clientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}
