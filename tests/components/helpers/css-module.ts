/** CSS modules in component tests: every class name is its own key, so markup stays readable. */
const classNames: Record<string, string> = new Proxy({}, { get: (_target, key) => String(key) });
export default classNames;
