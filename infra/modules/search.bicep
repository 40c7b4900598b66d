// Azure AI Search, RBAC only (authOptions null + disableLocalAuth). The app creates its index on first run.
param name string
param location string
param tags object
@allowed([
  'basic'
  'standard'
])
param sku string = 'basic'
@allowed([
  'disabled'
  'free'
  'standard'
])
param semanticSearch string = 'free'

resource search 'Microsoft.Search/searchServices@2023-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    replicaCount: 1
    partitionCount: 1
    hostingMode: 'default'
    publicNetworkAccess: 'enabled'
    authOptions: null
    disableLocalAuth: true
    semanticSearch: semanticSearch
  }
}

output name string = search.name
output id string = search.id
output endpoint string = 'https://${search.name}.search.windows.net'
