import { strict as assert } from "node:assert";
import { checkImageRegistries, checkImageTags, parseImage } from "../policy/images";
import { workload } from "./fixtures/policy";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

const IMAGE = 'spec.template.spec.containers["agent"].image';

function withImage(image: unknown): any {
  const obj = workload("Deployment");
  obj.spec.template.spec.containers[0].image = image;
  return obj;
}

describe("policy image-tags", () => {
  it("passes a tagged image", () => assert.deepEqual(checkImageTags(workload("Deployment")), []));

  it("passes a digest without a tag", () => {
    assert.deepEqual(checkImageTags(withImage(`ghcr.io/agentops/agent@sha256:${"a".repeat(64)}`)), []);
  });

  it("flags latest", () => {
    assert.deepEqual(checkImageTags(withImage("ghcr.io/agentops/agent:latest")), [
      `${IMAGE}: "ghcr.io/agentops/agent:latest" — must be pinned to a tag other than latest, or a digest`,
    ]);
  });

  it("flags an untagged image, without mistaking a registry port for a tag", () => {
    assert.deepEqual(checkImageTags(withImage("localhost:5000/agent")), [
      `${IMAGE}: "localhost:5000/agent" — must name a tag or digest, e.g. registry/app:1.2.3`,
    ]);
  });

  it("flags a container without an image", () => {
    assert.deepEqual(checkImageTags(withImage(undefined)), [
      `${IMAGE}: (missing) — must be an image reference with a tag or digest`,
    ]);
  });

  it("checks init containers of a CronJob", () => {
    const obj = workload("CronJob");
    obj.spec.jobTemplate.spec.template.spec.initContainers = [{ name: "fetch", image: "busybox" }];
    assert.deepEqual(checkImageTags(obj), [
      'spec.jobTemplate.spec.template.spec.initContainers["fetch"].image: "busybox" — must name a tag or digest, e.g. registry/app:1.2.3',
    ]);
  });
});

describe("policy image-registries", () => {
  it("allows any registry when none is listed", () => {
    assert.deepEqual(checkImageRegistries(withImage("quay.io/x/y:1"), { allowedRegistries: [] }), []);
  });

  it("allows a listed registry path", () => {
    assert.deepEqual(
      checkImageRegistries(workload("Deployment"), { allowedRegistries: ["ghcr.io/agentops"] }),
      [],
    );
  });

  it("flags an image from elsewhere", () => {
    assert.deepEqual(
      checkImageRegistries(withImage("ghcr.io/evil/agent:1.0"), { allowedRegistries: ["ghcr.io/agentops"] }),
      [`${IMAGE}: "ghcr.io/evil/agent:1.0" — must come from ghcr.io/agentops`],
    );
  });

  it("reads an image without a registry as docker.io", () => {
    assert.deepEqual(parseImage("nginx:1.27"), {
      registry: "docker.io",
      repository: "docker.io/nginx",
      tag: "1.27",
      digest: undefined,
    });
    assert.deepEqual(checkImageRegistries(withImage("nginx:1.27"), { allowedRegistries: ["docker.io"] }), []);
  });
});

describe("issue 22, defect 13: image-tags parses images as the container runtime does", () => {
  for (const [image, why] of [
    ["Ghcr.io/Agentops/X:1.0", /has upper case in its repository path "Agentops\/X"/],
    ["x@sha256:abc", /has an invalid digest "sha256:abc"/],
    [`ghcr.io/org/app@sha256:${"a".repeat(63)}`, /a sha256 digest of 63 hex characters \(sha256 has 64\)/],
    ["ghcr.io/org/app:-1", /has an invalid tag "-1"/],
    ["ghcr.io//app:1", /has an empty path component/],
  ] as const) {
    it(`flags ${image.length > 40 ? `${image.slice(0, 40)}…` : image}, saying why`, () => {
      const [line, ...rest] = checkImageTags(withImage(image));
      assert.deepEqual(rest, []);
      assert.ok(line!.startsWith(`${IMAGE}: `), line);
      assert.ok(line!.includes(" — must be an image reference the container runtime can parse"), line);
      assert.match(line!, why);
    });
  }

  for (const image of [
    "localhost:5000/agent:1.0",
    `ghcr.io/org/agent@sha256:${"0a".repeat(32)}`,
    "[::1]:5000/a:1",
  ]) {
    it(`passes ${image.length > 40 ? `${image.slice(0, 40)}…` : image}`, () => {
      assert.deepEqual(checkImageTags(withImage(image)), []);
    });
  }

  it("leaves an image it cannot parse to image-tags in image-registries", () => {
    assert.deepEqual(checkImageRegistries(withImage("Ghcr.io/X:1"), { allowedRegistries: ["ghcr.io"] }), []);
    assert.equal(parseImage("Ghcr.io/X:1"), undefined);
  });
});
