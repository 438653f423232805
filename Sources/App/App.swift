/// App is the composition root: it reads configuration, opens storage, builds the HTTP routes and
/// runs everything as services under one ServiceGroup with graceful shutdown. It is the only module
/// that imports Storage.
public enum App {}
