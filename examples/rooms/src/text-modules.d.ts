// wrangler.jsonc's rules bundle pusher-js's browser build as a string.
declare module "pusher-js/dist/web/pusher.min.js" {
  const source: string;
  export default source;
}
