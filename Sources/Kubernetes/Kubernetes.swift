/// Kubernetes owns Surge's small, typed client for the API server: credentials from a kubeconfig or
/// the in-cluster service account, TLS settings, the few resources Surge reads and changes (pods and
/// the scale subresource), list-then-watch with resourceVersion, and the API's Status errors.
public enum Kubernetes {}
