// Differential test: strata-policy against @cloud-copilot/iam-simulate (an independent IAM
// evaluator). Generates cases from a seeded PRNG, asks both engines, and fails on any case
// where the decisions differ.
//
// Usage: node generate_and_compare.mjs [--seed N] [--count N] [--evaluator PATH] [--show N]
//   [--kms-share F] (or DIFF_SEED / DIFF_COUNT / DIFF_EVALUATOR / DIFF_SHOW / DIFF_KMS_SHARE env
//   vars). A share of the cases (default 0.3) are KMS key-policy cases ("KMS key policies"
//   below); the rest are S3 bucket-policy cases. The evaluator is strata's
//   `crates/policy/examples/evaluate_jsonl.rs`: JSON lines in, `{"decision": …}` lines out.
//
// The three outcomes (Allow / ExplicitDeny / ImplicitDeny) are compared exactly: the
// simulator distinguishes explicit and implicit deny, and so does strata.
//
// Modelling choices, each because the two engines are given the world differently:
// * Root user: strata grants the account root everything in its own account without any
//   identity policy (spec §2.2); the simulator has no root special case. Root cannot have
//   identity policies, so for root the simulator gets one identity policy `Allow * on *`
//   (root's implicit full access) and strata gets none. Cross-account, both then still need
//   the bucket policy's allow (spec §2.3).
// * Principal global keys: strata derives aws:PrincipalArn, aws:PrincipalAccount,
//   aws:PrincipalType, aws:userid and aws:username from the principal itself
//   (`add_global_keys`); the simulator does not populate them, so this script computes them
//   from the AWS documentation (spec §2.6) and passes them to the simulator only.
// * Role paths: a role session ARN carries no path (spec §1.2), so the simulator, which only
//   sees the session ARN, cannot know the role's path. Roles are generated with path `/`.
//
// Shapes left out because iam-simulate 0.1.173 departs from documented AWS behaviour, or AWS
// leaves the answer undocumented (comments at each site): partial NotPrincipal chains
// (`genNotPrincipalBlock`), unresolvable policy variables inside NotResource
// (`genStatement`), and `kms:EncryptionContext:<key>` values in the request context (see
// "KMS key policies").

import { spawnSync } from 'node:child_process'
import { runSimulation } from '@cloud-copilot/iam-simulate'

// ---------------------------------------------------------------------------------------
// Arguments

function arg(name, env, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1]
  return process.env[env] ?? fallback
}
const SEED = Number(arg('seed', 'DIFF_SEED', '20240601'))
const COUNT = Number(arg('count', 'DIFF_COUNT', '3000'))
const SHOW = Number(arg('show', 'DIFF_SHOW', '5'))
const EVALUATOR = arg('evaluator', 'DIFF_EVALUATOR', '../../target/debug/examples/evaluate_jsonl')
// Share of the cases that are KMS key-policy cases (the rest are S3 bucket-policy cases).
const KMS_SHARE = Number(arg('kms-share', 'DIFF_KMS_SHARE', '0.3'))

// ---------------------------------------------------------------------------------------
// Deterministic PRNG (mulberry32)

function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
let rand = mulberry32(SEED)
const chance = (p) => rand() < p
const pick = (list) => list[Math.floor(rand() * list.length)]
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1))
const some = (list, lo, hi) => {
  const n = int(lo, hi)
  const out = []
  for (let i = 0; i < n; i++) out.push(pick(list))
  return [...new Set(out)]
}
const shuffle = (list) => {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[list[i], list[j]] = [list[j], list[i]]
  }
  return list
}
// A one-element list and its scalar are the same in IAM (spec §1.1); exercise both.
const scalarOrList = (list) => (list.length === 1 && chance(0.5) ? list[0] : list)

// ---------------------------------------------------------------------------------------
// The world

const ACCOUNT = '111122223333'
const OTHER_ACCOUNT = '444455556666'
const BUCKET = 'strata-diff-bucket'
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`
const USER_ID = 'AIDAEXAMPLEUSER00001'
const ROLE_ID = 'AROAEXAMPLEROLE00001'

const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectAcl']
const BUCKET_ACTIONS = ['s3:ListBucket', 's3:GetBucketPolicy']
const OBJECT_KEYS = ['public/a.txt', 'private/b.txt', 'home/alice/notes.txt', 'home/bob/x', 'deep/1/test/y']

function genPrincipal() {
  const kind = pick(['root', 'user', 'user', 'assumed_role', 'assumed_role'])
  if (kind === 'root') return { kind, account: ACCOUNT }
  if (kind === 'user') {
    const path = pick(['/', '/team/'])
    return { kind, account: ACCOUNT, path, name: pick(['alice', 'bob']), id: USER_ID }
  }
  return { kind, account: ACCOUNT, path: '/', name: pick(['dev', 'ops']), id: ROLE_ID, session: pick(['alice', 'sess-1']) }
}

function principalArn(p) {
  switch (p.kind) {
    case 'root':
      return `arn:aws:iam::${p.account}:root`
    case 'user':
      return `arn:aws:iam::${p.account}:user${p.path}${p.name}`
    case 'assumed_role':
      return `arn:aws:sts::${p.account}:assumed-role/${p.name}/${p.session}`
  }
}

// Global principal keys as AWS documents them (spec §2.6), for the simulator.
function principalKeys(p) {
  const keys = { 'aws:PrincipalAccount': p.account }
  switch (p.kind) {
    case 'root':
      keys['aws:PrincipalArn'] = principalArn(p)
      keys['aws:PrincipalType'] = 'Account'
      keys['aws:userid'] = p.account
      break
    case 'user':
      keys['aws:PrincipalArn'] = principalArn(p)
      keys['aws:PrincipalType'] = 'User'
      keys['aws:userid'] = p.id
      keys['aws:username'] = p.name
      break
    case 'assumed_role':
      keys['aws:PrincipalArn'] = `arn:aws:iam::${p.account}:role${p.path}${p.name}`
      keys['aws:PrincipalType'] = 'AssumedRole'
      keys['aws:userid'] = `${p.id}:${p.session}`
      break
  }
  return keys
}

// Request context apart from the principal keys. Every key is a global condition key, so the
// simulator does not discard it as inapplicable to the action.
function genContext() {
  const c = {}
  if (chance(0.7)) c['aws:SourceIp'] = pick(['10.1.2.3', '192.168.1.20', '203.0.113.5', '198.51.100.7'])
  if (chance(0.7)) c['aws:SecureTransport'] = pick(['true', 'false'])
  if (chance(0.6)) c['aws:CurrentTime'] = pick(['2019-06-01T00:00:00Z', '2024-03-15T12:00:00Z', '2030-01-01T00:00:00Z'])
  if (chance(0.5)) c['aws:MultiFactorAuthAge'] = pick(['30', '600', '7200'])
  if (chance(0.5)) c['aws:MultiFactorAuthPresent'] = pick(['true', 'false'])
  if (chance(0.5)) c['aws:PrincipalTag/dept'] = pick(['eng', 'ops', 'Eng'])
  if (chance(0.5)) c['aws:CalledVia'] = some(['athena.amazonaws.com', 'cloudformation.amazonaws.com', 'glue.amazonaws.com'], 1, 2)
  return c
}

// ---------------------------------------------------------------------------------------
// Conditions

const STRING_KEYS = {
  'aws:PrincipalTag/dept': ['eng', 'ops', 'e*', 'Eng'],
  'aws:username': ['alice', 'bob', 'a*', '${aws:username}'],
  'aws:PrincipalAccount': [ACCOUNT, OTHER_ACCOUNT, '1111*'],
  'aws:PrincipalType': ['User', 'AssumedRole', 'Account'],
  'aws:userid': [USER_ID, `${ROLE_ID}:*`, `${ROLE_ID}:alice`, ACCOUNT],
}

function genCondition() {
  const shape = pick([
    'string', 'string', 'like', 'numeric', 'bool', 'ip', 'date', 'forany', 'forall', 'ifexists', 'null', 'arn',
  ])
  switch (shape) {
    case 'string': {
      const key = pick(Object.keys(STRING_KEYS))
      const op = pick(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'])
      return { [op]: { [key]: scalarOrList(some(STRING_KEYS[key], 1, 2)) } }
    }
    case 'like': {
      const key = pick(Object.keys(STRING_KEYS))
      const op = pick(['StringLike', 'StringNotLike'])
      return { [op]: { [key]: scalarOrList(some(STRING_KEYS[key], 1, 2)) } }
    }
    case 'numeric': {
      const op = pick(['NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericEquals', 'NumericNotEquals'])
      return { [op]: { 'aws:MultiFactorAuthAge': pick(['600', '3600', '30']) } }
    }
    case 'bool': {
      const key = pick(['aws:SecureTransport', 'aws:MultiFactorAuthPresent'])
      return { Bool: { [key]: pick(['true', 'false']) } }
    }
    case 'ip': {
      const op = pick(['IpAddress', 'NotIpAddress'])
      return { [op]: { 'aws:SourceIp': scalarOrList(some(['10.0.0.0/8', '192.168.1.0/24', '203.0.113.5', '203.0.113.0/30'], 1, 2)) } }
    }
    case 'date': {
      const op = pick(['DateGreaterThan', 'DateLessThan', 'DateGreaterThanEquals', 'DateLessThanEquals'])
      return { [op]: { 'aws:CurrentTime': pick(['2020-01-01T00:00:00Z', '2025-06-30T00:00:00Z', '2024-03-15T12:00:00Z']) } }
    }
    case 'forany':
    case 'forall': {
      const set = shape === 'forany' ? 'ForAnyValue' : 'ForAllValues'
      const op = pick(['StringEquals', 'StringLike', 'StringNotEquals'])
      const values = some(['athena.amazonaws.com', 'glue.amazonaws.com', '*.amazonaws.com', 'cloudformation.*'], 1, 3)
      return { [`${set}:${op}`]: { 'aws:CalledVia': scalarOrList(values) } }
    }
    case 'ifexists': {
      return pick([
        () => ({ StringEqualsIfExists: { 'aws:PrincipalTag/dept': scalarOrList(some(['eng', 'ops'], 1, 2)) } }),
        () => ({ StringNotEqualsIfExists: { 'aws:PrincipalTag/dept': 'ops' } }),
        () => ({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }),
        () => ({ BoolIfExists: { 'aws:SecureTransport': pick(['true', 'false']) } }),
        () => ({ IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }),
        () => ({ DateLessThanIfExists: { 'aws:CurrentTime': '2025-06-30T00:00:00Z' } }),
      ])()
    }
    case 'null': {
      const key = pick(['aws:SourceIp', 'aws:MultiFactorAuthAge', 'aws:PrincipalTag/dept', 'aws:CalledVia', 'aws:username'])
      return { Null: { [key]: pick(['true', 'false']) } }
    }
    case 'arn': {
      const op = pick(['ArnLike', 'ArnNotLike', 'ArnEquals'])
      const values = some(
        [
          `arn:aws:iam::${ACCOUNT}:role/dev`,
          `arn:aws:iam::${ACCOUNT}:user/*`,
          `arn:aws:iam::*:role/*`,
          `arn:aws:iam::${ACCOUNT}:root`,
          `arn:aws:iam::${OTHER_ACCOUNT}:*`,
        ],
        1,
        2,
      )
      return { [op]: { 'aws:PrincipalArn': scalarOrList(values) } }
    }
  }
}

function genConditions() {
  if (chance(0.5)) return undefined
  const out = {}
  for (const c of some([0, 1, 2], 1, 2).map(() => genCondition())) {
    for (const [op, keys] of Object.entries(c)) out[op] = { ...(out[op] ?? {}), ...keys }
  }
  return out
}

// ---------------------------------------------------------------------------------------
// Policies

const IDENTITY_ACTIONS = ['s3:GetObject', 's3:Get*', 's3:*', '*', 's3:*Object', 's3:?etObject', 's3:List*', 's3:PutObject', 'iam:*', 'S3:getobject']
const BUCKET_POLICY_ACTIONS = ['s3:GetObject', 's3:Get*', 's3:*', 's3:*Object', 's3:ListBucket', 's3:PutObject', 's3:DeleteObject']
const IN_BUCKET_RESOURCES = [
  BUCKET_ARN,
  `${BUCKET_ARN}/*`,
  `${BUCKET_ARN}/public/*`,
  `${BUCKET_ARN}/home/\${aws:username}/*`,
  `${BUCKET_ARN}/*/test/*`,
  `${BUCKET_ARN}/private/?.txt`,
]
const IDENTITY_RESOURCES = [...IN_BUCKET_RESOURCES, '*', 'arn:aws:s3:::other-bucket/*', 'arn:aws:s3:::strata-diff-*', 'arn:aws:s3:::*/*']

function genStatement(resourcePolicy, caller) {
  const s = { Effect: chance(resourcePolicy ? 0.75 : 0.7) ? 'Allow' : 'Deny' }
  if (resourcePolicy) {
    // NotPrincipal only with Deny: AWS rejects or discourages NotPrincipal+Allow (spec §1.2).
    if (s.Effect === 'Deny' && chance(0.15)) s.NotPrincipal = genNotPrincipalBlock(caller)
    else s.Principal = genPrincipalBlock()
  }
  const actions = scalarOrList(some(resourcePolicy ? BUCKET_POLICY_ACTIONS : IDENTITY_ACTIONS, 1, 2))
  if (chance(0.15)) s.NotAction = actions
  else s.Action = actions
  const notResource = chance(0.15)
  let pool = resourcePolicy ? IN_BUCKET_RESOURCES : IDENTITY_RESOURCES
  // A variable with no value makes a Resource entry match nothing (spec §1.6). What it does in
  // NotResource is not documented: strata lets the entry match nothing (so NotResource
  // applies), iam-simulate drops the whole statement. Not generated until AWS is observed.
  if (notResource && caller.kind !== 'user') pool = pool.filter((r) => !r.includes('${'))
  const resources = scalarOrList(some(pool, 1, 2))
  if (notResource) s.NotResource = resources
  else s.Resource = resources
  const cond = genConditions()
  if (cond) s.Condition = cond
  return s
}

const PRINCIPAL_VALUES = [
    ACCOUNT,
    `arn:aws:iam::${ACCOUNT}:root`,
    OTHER_ACCOUNT,
    `arn:aws:iam::${ACCOUNT}:user/alice`,
    `arn:aws:iam::${ACCOUNT}:user/team/alice`,
    `arn:aws:iam::${ACCOUNT}:user/bob`,
    `arn:aws:iam::${ACCOUNT}:role/dev`,
    `arn:aws:iam::${ACCOUNT}:role/ops`,
    `arn:aws:sts::${ACCOUNT}:assumed-role/dev/alice`,
    `arn:aws:sts::${ACCOUNT}:assumed-role/ops/sess-1`,
]

function genPrincipalBlock() {
  if (chance(0.2)) return pick(['*', { AWS: '*' }])
  return { AWS: scalarOrList(some(PRINCIPAL_VALUES, 1, 2)) }
}

// The principals a `NotPrincipal` must list to exempt `caller`: AWS checks the whole chain
// account → role → session, or account → user (spec §1.2, IAM NotPrincipal page), so
// listing only some of them does not exempt. iam-simulate 0.1.173 instead exempts the caller
// when any one entry matches at any level (its source says this "needs research"). Only
// NotPrincipal lists where the two rules agree are generated: either the caller's whole chain
// is listed, or nothing of it is.
function callerChain(caller) {
  const chain = [caller.account, `arn:aws:iam::${caller.account}:root`]
  if (caller.kind === 'user') chain.push(principalArn(caller))
  if (caller.kind === 'assumed_role') chain.push(`arn:aws:iam::${caller.account}:role${caller.path}${caller.name}`, principalArn(caller))
  return chain
}

function genNotPrincipalBlock(caller) {
  const chain = callerChain(caller)
  const others = some(PRINCIPAL_VALUES.filter((v) => !chain.includes(v)), 1, 3)
  if (!chance(0.5)) return { AWS: scalarOrList(others) }
  // The account may be named by id or by root ARN; one of the two suffices.
  const exempt = [pick(chain.slice(0, 2)), ...chain.slice(2)]
  return { AWS: shuffle([...exempt, ...others]) }
}

function genBroadGrant(resourcePolicy) {
  const s = { Effect: 'Allow' }
  if (resourcePolicy) {
    s.Principal = pick(['*', { AWS: ACCOUNT }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: PRINCIPAL_VALUES.slice(3) }])
  }
  s.Action = pick(['s3:*', ['s3:Get*', 's3:List*', 's3:PutObject', 's3:DeleteObject']])
  s.Resource = [BUCKET_ARN, `${BUCKET_ARN}/*`]
  if (chance(0.3)) s.Condition = genCondition()
  return s
}

function genDocument(resourcePolicy, caller) {
  const statements = []
  const n = int(1, 3)
  for (let i = 0; i < n; i++) statements.push(genStatement(resourcePolicy, caller))
  // Random statements rarely allow on both sides of a cross-account request; a broad grant
  // now and then keeps the cross-account Allow path (and denies that override it) exercised.
  if (chance(0.4)) statements[int(0, n - 1)] = genBroadGrant(resourcePolicy)
  return { Version: '2012-10-17', Statement: n === 1 && chance(0.3) ? statements[0] : statements }
}

function genCase(index) {
  const principal = genPrincipal()
  const isObject = chance(0.7)
  const action = pick(isObject ? OBJECT_ACTIONS : BUCKET_ACTIONS)
  const resource = isObject ? `${BUCKET_ARN}/${pick(OBJECT_KEYS)}` : BUCKET_ARN
  const resourceAccount = chance(0.7) ? ACCOUNT : OTHER_ACCOUNT
  // Root has no identity policies (see the header).
  const identity = principal.kind === 'root' ? [] : Array.from({ length: int(0, 2) }, () => genDocument(false, principal))
  const resourcePolicy = chance(0.7) ? genDocument(true, principal) : null
  return { index, service: 's3', principal, action, resource, resourceAccount, identity, resourcePolicy, context: genContext() }
}

// ---------------------------------------------------------------------------------------
// KMS key policies (spec kms-sse.md §3.2)
//
// A key policy is a resource policy that must allow even in the key's own account: a caller
// there is allowed when the key policy names it directly (its user, role or session ARN, or
// "*"), or names its account (root ARN or bare ID) and its identity policies allow too.
// Across accounts the key policy must allow in any form and the identity policies must
// allow. iam-simulate implements the same rule in `KmsServiceAuthorizer` (account-level key
// policy statements are the only "trust" of the caller's IAM policies for `key/…` resources).
//
// Modelling choices:
// * Every KMS key has a key policy, so one is always generated.
// * `kms:CallerAccount` is on every KMS request (KDG conditions-kms.md), so both engines
//   always get it, set to the caller's account. `kms:ViaService` is present only when a
//   service calls on the caller's behalf; `kms:EncryptionContextKeys` only on cryptographic
//   operations (the simulator also discards it for DescribeKey and PutKeyPolicy).
// * `kms:EncryptionContext:<key>` (e.g. `kms:EncryptionContext:aws:s3:arn`) is never put in
//   the request context: iam-simulate 0.1.173 only expands `/`-separated variable keys
//   (`listHasVariableKeyMatch` in simulationEngine.js), so it ignores the documented
//   `kms:EncryptionContext:encryption-context-key` form and reports it as an ignored context
//   key. Policies still test it, and both engines then see it absent (as on DescribeKey).
// * PutKeyPolicy is not callable across accounts (KDG key-policy-modifying-external-
//   accounts.md): the KMS API does not accept a key of another account for it (spec §1.2),
//   a check outside the policy engine. Both engines answer only the policy question, so
//   those cases stay in.

const REGION = 'us-east-1'
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'
const OTHER_KEY_ID = '0987dcba-09fe-87dc-65ba-ab0987654321'
const keyArn = (account, id = KEY_ID) => `arn:aws:kms:${REGION}:${account}:key/${id}`
const KMS_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:PutKeyPolicy']
const KMS_CRYPTO_ACTIONS = new Set(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'])
const KMS_IDENTITY_ACTIONS = [
  'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:Describe*', 'kms:*', '*', 'kms:PutKeyPolicy',
  'KMS:decrypt', 's3:*', 'kms:ReEncrypt*',
]
const KEY_POLICY_ACTIONS = [
  'kms:*', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:Describe*',
  'kms:PutKeyPolicy', 'kms:Put*', 'kms:ReEncrypt*',
]
const VIA_SERVICES = ['s3.us-east-1.amazonaws.com', 'dynamodb.us-east-1.amazonaws.com']
const S3_OBJECT_ARN = `${BUCKET_ARN}/public/a.txt`

// Principals a key policy may name. The caller is always in ACCOUNT; the key is in ACCOUNT
// or OTHER_ACCOUNT.
const KMS_PRINCIPAL_VALUES = [
  ...PRINCIPAL_VALUES,
  `arn:aws:iam::${OTHER_ACCOUNT}:root`,
  `arn:aws:iam::${OTHER_ACCOUNT}:role/dev`,
  `arn:aws:iam::${OTHER_ACCOUNT}:user/alice`,
]

function genKmsContext(principal, action) {
  const c = {}
  // A few global keys, as for S3 (all of them apply to every KMS action).
  for (const [k, v] of Object.entries(genContext())) if (chance(0.5)) c[k] = v
  c['kms:CallerAccount'] = principal.account
  if (chance(0.5)) c['kms:ViaService'] = pick(VIA_SERVICES)
  if (KMS_CRYPTO_ACTIONS.has(action) && chance(0.6)) {
    c['kms:EncryptionContextKeys'] = some(['aws:s3:arn', 'dept', 'aws:dynamodb:tableName'], 1, 2)
  }
  return c
}

function genKmsCondition() {
  const shape = pick(['caller', 'caller', 'paccount', 'via', 'via', 'vianull', 'ec', 'eckeys', 'arn', 'global'])
  switch (shape) {
    case 'caller': {
      const op = pick(['StringEquals', 'StringNotEquals', 'StringLike'])
      const values = some([ACCOUNT, OTHER_ACCOUNT, '${aws:PrincipalAccount}', '1111*'], 1, 2)
      return { [op]: { 'kms:CallerAccount': scalarOrList(values) } }
    }
    case 'paccount': {
      const op = pick(['StringEquals', 'StringNotEquals'])
      return { [op]: { 'aws:PrincipalAccount': scalarOrList(some([ACCOUNT, OTHER_ACCOUNT], 1, 2)) } }
    }
    case 'via': {
      const op = pick(['StringEquals', 'StringLike', 'StringNotEquals', 'StringEqualsIfExists', 'StringNotLike'])
      const values = some([...VIA_SERVICES, 's3.*.amazonaws.com', 'ec2.us-east-1.amazonaws.com'], 1, 2)
      return { [op]: { 'kms:ViaService': scalarOrList(values) } }
    }
    case 'vianull':
      return { Null: { [pick(['kms:ViaService', 'kms:EncryptionContextKeys'])]: pick(['true', 'false']) } }
    case 'ec': {
      // Never present in the request (see the section header).
      const op = pick(['StringEquals', 'StringLike', 'StringNotEquals', 'StringEqualsIfExists'])
      const values = some([S3_OBJECT_ARN, `${BUCKET_ARN}/*`, 'arn:aws:s3:::other-bucket/*'], 1, 2)
      return { [op]: { 'kms:EncryptionContext:aws:s3:arn': scalarOrList(values) } }
    }
    case 'eckeys': {
      const set = pick(['ForAnyValue', 'ForAllValues'])
      const op = pick(['StringEquals', 'StringLike', 'StringNotEquals'])
      const values = some(['aws:s3:arn', 'dept', 'aws:*'], 1, 2)
      return { [`${set}:${op}`]: { 'kms:EncryptionContextKeys': scalarOrList(values) } }
    }
    case 'arn': {
      const op = pick(['ArnLike', 'ArnNotLike', 'ArnEquals'])
      const values = some([`arn:aws:iam::${ACCOUNT}:role/dev`, `arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:iam::${ACCOUNT}:root`], 1, 2)
      return { [op]: { 'aws:PrincipalArn': scalarOrList(values) } }
    }
    case 'global':
      return genCondition()
  }
}

function genKmsConditions(p) {
  if (!chance(p)) return undefined
  const out = {}
  for (const c of some([0, 1, 2], 1, 2).map(() => genKmsCondition())) {
    for (const [op, keys] of Object.entries(c)) out[op] = { ...(out[op] ?? {}), ...keys }
  }
  return out
}

function genKmsStatement(keyPolicy, caller, keyAccount) {
  const s = { Effect: chance(keyPolicy ? 0.75 : 0.7) ? 'Allow' : 'Deny' }
  if (keyPolicy) {
    // NotPrincipal only with Deny, and only in the shapes where both engines follow AWS
    // (`genNotPrincipalBlock`).
    if (s.Effect === 'Deny' && chance(0.1)) s.NotPrincipal = genNotPrincipalBlock(caller)
    else if (chance(0.25)) s.Principal = pick(['*', { AWS: '*' }])
    else s.Principal = { AWS: scalarOrList(some(KMS_PRINCIPAL_VALUES, 1, 2)) }
  }
  const actions = scalarOrList(some(keyPolicy ? KEY_POLICY_ACTIONS : KMS_IDENTITY_ACTIONS, 1, 2))
  if (chance(0.1)) s.NotAction = actions
  else s.Action = actions
  // Key policies nearly always say Resource "*" (the key itself).
  const pool = keyPolicy
    ? ['*', '*', '*', keyArn(keyAccount), keyArn(keyAccount, OTHER_KEY_ID), `arn:aws:kms:*:${keyAccount}:key/*`]
    : [
        '*', keyArn(keyAccount), keyArn(keyAccount, OTHER_KEY_ID), `arn:aws:kms:${REGION}:${keyAccount}:key/*`,
        `arn:aws:kms:*:${OTHER_ACCOUNT}:key/*`, `arn:aws:kms:${REGION}:${ACCOUNT}:alias/*`, `${BUCKET_ARN}/*`,
      ]
  const resources = scalarOrList(some(pool, 1, 2))
  if (chance(0.1)) s.NotResource = resources
  else s.Resource = resources
  const cond = genKmsConditions(keyPolicy && s.Principal && JSON.stringify(s.Principal).includes('*') ? 0.7 : 0.4)
  if (cond) s.Condition = cond
  return s
}

// The statements real key policies are made of, so that Allow paths stay common.
function genKmsBroadGrant(keyPolicy, caller, keyAccount) {
  if (!keyPolicy) {
    return { Effect: 'Allow', Action: pick(['kms:*', ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey']]), Resource: pick(['*', keyArn(keyAccount)]) }
  }
  const kind = pick(['default', 'default', 'external', 'direct', 'managed'])
  switch (kind) {
    case 'default': // The default key policy (§3.1): the key's account delegates to IAM.
      return { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: pick([`arn:aws:iam::${keyAccount}:root`, keyAccount]) }, Action: 'kms:*', Resource: '*' }
    case 'external': // Cross-account grant to the caller's account.
      return { Effect: 'Allow', Principal: { AWS: pick([`arn:aws:iam::${caller.account}:root`, caller.account]) }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' }
    case 'direct': { // Key users named by ARN.
      const names = callerChain(caller).slice(2)
      const s = { Effect: 'Allow', Principal: { AWS: names.length ? pick(names) : `arn:aws:iam::${ACCOUNT}:role/dev` }, Action: pick(['kms:*', ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey']]), Resource: '*' }
      if (chance(0.3)) s.Condition = genKmsCondition()
      return s
    }
    case 'managed': // An AWS managed key (aws/s3) policy statement.
      return {
        Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': pick([keyAccount, caller.account]), 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      }
  }
}

function genKmsDocument(keyPolicy, caller, keyAccount) {
  const statements = []
  const n = int(1, 3)
  for (let i = 0; i < n; i++) statements.push(genKmsStatement(keyPolicy, caller, keyAccount))
  if (chance(0.5)) statements[int(0, n - 1)] = genKmsBroadGrant(keyPolicy, caller, keyAccount)
  return { Version: '2012-10-17', Statement: n === 1 && chance(0.3) ? statements[0] : statements }
}

function genKmsCase(index) {
  const principal = genPrincipal()
  const action = pick(KMS_ACTIONS)
  const resourceAccount = chance(0.6) ? ACCOUNT : OTHER_ACCOUNT
  const identity = principal.kind === 'root' ? [] : Array.from({ length: int(0, 2) }, () => genKmsDocument(false, principal, resourceAccount))
  const resourcePolicy = genKmsDocument(true, principal, resourceAccount)
  const context = genKmsContext(principal, action)
  return { index, service: 'kms', principal, action, resource: keyArn(resourceAccount), resourceAccount, identity, resourcePolicy, context }
}

// ---------------------------------------------------------------------------------------
// The two engines

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
const SIM_TO_STRATA = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' }

async function simulate(c) {
  const identity = c.principal.kind === 'root' ? [ALLOW_ALL] : c.identity
  const simulation = {
    request: {
      principal: principalArn(c.principal),
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: { ...c.context, ...principalKeys(c.principal) },
    },
    identityPolicies: identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy ?? undefined,
  }
  const result = await runSimulation(simulation, {})
  if (result.resultType === 'error') return { error: result.errors }
  if (result.resultType !== 'single') return { error: `unexpected resultType ${result.resultType}` }
  const ignored = result.result.ignoredContextKeys ?? []
  if (ignored.length) return { error: `simulator ignored context keys ${ignored.join(', ')}` }
  return { decision: SIM_TO_STRATA[result.overallResult] ?? result.overallResult }
}

function strataInput(c) {
  return JSON.stringify({
    identity: c.identity.map((d) => JSON.stringify(d)),
    resource: c.resourcePolicy ? JSON.stringify(c.resourcePolicy) : null,
    resource_kind: c.service === 'kms' ? 'kms_key' : { s3_bucket: BUCKET },
    request: {
      principal: c.principal,
      action: c.action,
      resource: c.resource,
      resource_account: c.resourceAccount,
      context: Object.fromEntries(Object.entries(c.context).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    },
  })
}

function runStrata(cases) {
  const input = cases.map(strataInput).join('\n') + '\n'
  const out = spawnSync(EVALUATOR, [], { input, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' })
  if (out.error) throw out.error
  if (out.status !== 0) throw new Error(`evaluator exited ${out.status}: ${out.stderr}`)
  const lines = out.stdout.trim().split('\n')
  if (lines.length !== cases.length) throw new Error(`evaluator answered ${lines.length} lines for ${cases.length} cases`)
  return lines.map((l) => JSON.parse(l))
}

// ---------------------------------------------------------------------------------------

const started = Date.now()
// The S3 cases come first, from the seed's own stream (so they do not change when the KMS
// share does); the KMS cases from a second stream derived from the same seed.
const KMS_COUNT = Math.round(COUNT * KMS_SHARE)
const cases = Array.from({ length: COUNT - KMS_COUNT }, (_, i) => genCase(i))
rand = mulberry32(SEED ^ 0x6b6d7300)
for (let i = cases.length; i < COUNT; i++) cases.push(genKmsCase(i))
const strata = runStrata(cases)
let agree = 0
const disagreements = []
const tally = {}
for (const c of cases) {
  const sim = await simulate(c)
  const ours = strata[c.index]
  // What was exercised: caller kind × same/cross account → simulator outcome.
  const shape = `${c.service} ${c.principal.kind}/${c.resourceAccount === c.principal.account ? 'same' : 'cross'}`
  tally[shape] ??= {}
  const outcome = sim.decision ?? 'error'
  tally[shape][outcome] = (tally[shape][outcome] ?? 0) + 1
  if (!sim.error && !ours.error && sim.decision === ours.decision) agree++
  else disagreements.push({ c, sim, ours })
}
const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(
  `differential: ${COUNT} cases (${KMS_COUNT} KMS; seed ${SEED}), ${agree} agree, ${disagreements.length} disagree ` +
    `in ${seconds}s`,
)
for (const shape of Object.keys(tally).sort()) {
  const outcomes = Object.entries(tally[shape]).sort().map(([k, v]) => `${k} ${v}`)
  console.log(`  ${shape.padEnd(22)} ${outcomes.join(', ')}`)
}
for (const { c, sim, ours } of disagreements.slice(0, SHOW)) {
  console.log(`\n--- case ${c.index}: simulator ${JSON.stringify(sim)}, strata ${JSON.stringify(ours)}`)
  console.log(JSON.stringify({ principal: principalArn(c.principal), ...c }, null, 2))
}
process.exit(disagreements.length ? 1 : 0)
