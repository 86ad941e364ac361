using System.Runtime.CompilerServices;

// Every native call goes through source-generated [LibraryImport] stubs or function pointers over blittable types:
// nothing may fall back to runtime marshalling (which AOT and trimming cannot see).
[assembly: DisableRuntimeMarshalling]
