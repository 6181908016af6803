import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { registerBodySchema } from '@jiangxin/shared/api/accounts';
import { STAFF_ROLES, type StaffRole, staffRoleSchema } from '@jiangxin/shared/permissions';
import { registerUser } from '../modules/accounts/commands';
import { loadEnv } from '../platform/config';
import { verifyPiiKeys } from '../platform/crypto/pii-keys';
import { openDb } from '../platform/db/database';
import { migrateToLatest } from '../platform/db/migrate';
import { AppError } from '../platform/http/problem';
import { createOfflineContext } from './context';

/**
 * Creates a staff account outside demo mode:
 * `tsx src/seed/staff-cli.ts --username li_finance --role finance [--role support] [--nickname 李会计] [--password …]`.
 * Without `--password` a random one is generated and printed once. Goes through `registerUser`, so the
 * account is exactly what registration makes, plus its staff roles. Exits 1 on refusal, 2 on bad arguments.
 */
const usage =
  `usage: tsx src/seed/staff-cli.ts --username NAME --role ROLE [--role ROLE…] [--nickname NICK] [--password PASSWORD]\n` +
  `roles: ${STAFF_ROLES.join(', ')}`;

let input: {
  username: string;
  roles: StaffRole[];
  nickname: string | undefined;
  password: string;
  generated: boolean;
};
try {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      role: { type: 'string', multiple: true },
      nickname: { type: 'string' },
      password: { type: 'string' },
    },
    strict: true,
  });
  if (!values.username) throw new Error('--username is required');
  if (!values.role?.length) throw new Error('at least one --role is required');
  const roles = [...new Set(values.role.map((r) => staffRoleSchema.parse(r)))];
  const generated = values.password === undefined;
  input = {
    username: values.username,
    roles,
    nickname: values.nickname,
    password: values.password ?? randomBytes(12).toString('base64url'),
    generated,
  };
} catch (err) {
  console.error(err instanceof Error && 'issues' in err ? 'unknown --role' : (err as Error).message);
  console.error(usage);
  process.exit(2);
}

const body = registerBodySchema.safeParse({
  username: input.username,
  password: input.password,
  ...(input.nickname ? { nickname: input.nickname } : {}),
  userType: 'client',
});
if (!body.success) {
  for (const issue of body.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}

const env = loadEnv();
const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  const ctx = createOfflineContext(env, db);
  await migrateToLatest(db, { pii: ctx.pii });
  await verifyPiiKeys(db.write, ctx.pii);
  const tokens = await registerUser(ctx, body.data, { staffRoles: input.roles });
  console.log(
    `已创建员工账号 staff account created: ${tokens.user.username} (id ${tokens.user.id}), roles ${input.roles.join(', ')}`,
  );
  if (input.generated) console.log(`password (shown once): ${input.password}`);
} catch (err) {
  if (err instanceof AppError) {
    console.error(`refused: ${err.code} — ${err.message}`);
    process.exitCode = 1;
  } else throw err;
} finally {
  await db.close();
}
