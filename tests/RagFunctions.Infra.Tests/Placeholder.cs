namespace RagFunctions.Tests;
