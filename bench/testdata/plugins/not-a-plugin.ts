// Not a plugin (bench verify-algorithm's tests): no reconcile function.
export default { name: "not-a-plugin" };
