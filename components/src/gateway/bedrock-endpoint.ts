/** Bedrock's runtime endpoints, pure (the configuration reads it without the AWS SDK of `./bedrock`). */

/** `bedrock-runtime.<region>.amazonaws.com` or its `-fips` twin, in the `aws` partition. */
const RUNTIME_HOST = /^bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/** The region of a Bedrock runtime host, `undefined` when `host` is not one. */
export function bedrockRegion(host: string): string | undefined {
  return RUNTIME_HOST.exec(host)?.[1];
}
