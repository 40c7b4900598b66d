using System.Runtime.CompilerServices;

// Request-level tests mock SDK responses typed with the internal history documents (Moq/Castle proxies).
[assembly: InternalsVisibleTo("DynamicProxyGenAssembly2")]
