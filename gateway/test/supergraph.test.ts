import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';

let stack: Stack;
let member: TestUser;
let admin: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [member, admin] = await Promise.all([stack.createUser(['user']), stack.createUser(['user', 'admin'])]);
});

afterAll(async () => {
  await stack?.close();
});

describe('keyboards through the gateway', () => {
  it('lists the seeded switches and box types', async () => {
    const { data, errors } = await stack.graphql<{
      switches: { totalCount: number; nodes: { title: string }[] };
      boxTypes: { title: string; keyCount: number }[];
    }>('{ switches { totalCount nodes { title } } boxTypes { title keyCount } }');
    expect(errors).toBeUndefined();
    expect(data!.switches.totalCount).toBe(4);
    expect(data!.switches.nodes.map((s) => s.title)).toEqual(['MX Black', 'MX Blue', 'MX Brown', 'MX Red']);
    expect(data!.boxTypes.map((b) => b.title)).toEqual(['100%', '75%', '60%', '40%']);
    expect(data!.boxTypes.every((b) => b.keyCount > 40)).toBe(true);
  });

  it('pages switches with cursors, without overlap or gaps', async () => {
    const query =
      'query Page($after: String) { switches(first: 3, after: $after) { nodes { title } pageInfo { hasNextPage endCursor } } }';
    type Page = { switches: { nodes: { title: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = await stack.graphql<Page>(query);
    expect(first.data!.switches.nodes).toHaveLength(3);
    expect(first.data!.switches.pageInfo.hasNextPage).toBe(true);
    const second = await stack.graphql<Page>(query, { variables: { after: first.data!.switches.pageInfo.endCursor } });
    expect(second.data!.switches.nodes.map((s) => s.title)).toEqual(['MX Red']);
    expect(second.data!.switches.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a bad page size and a forged cursor with BAD_USER_INPUT in the caller language', async () => {
    const tooMany = await stack.graphql('{ switches(first: 1000) { totalCount } }', {
      headers: { 'accept-language': 'ru-RU,ru;q=0.9' },
    });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(tooMany.errors?.[0]?.message).toBe('Недопустимое значение поля «размер страницы»: должно быть от 1 до 100.');
    const forged = await stack.graphql('{ switches(after: "not-a-cursor") { totalCount } }');
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(forged.errors?.[0]?.message).toBe('Invalid value of after: is not a cursor this list gave out.');
  });
});

describe('users through the gateway', () => {
  it('answers me with null for an anonymous caller', async () => {
    const { data, errors } = await stack.graphql('{ me { id } }');
    expect(errors).toBeUndefined();
    expect(data).toEqual({ me: null });
  });

  it('answers me for a signed-in caller, with private fields', async () => {
    const { data } = await stack.graphql('{ me { id nickname email roles createdAt } }', { token: member.token });
    expect(data).toEqual({
      me: {
        id: member.globalId,
        nickname: member.nickname,
        email: member.email,
        roles: ['USER'],
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    });
  });

  it('treats a token it cannot verify as no one: anonymous fields answer, account fields say UNAUTHENTICATED TOKEN_INVALID', async () => {
    const forged = `${member.token.slice(0, -4)}AAAA`;
    for (const headers of [{ authorization: `Bearer ${forged}` }, { authorization: 'Basic abc' }]) {
      const response = await stack.graphql<{ me: unknown; mySessions: unknown }>('{ me { id } mySessions { id } }', { headers });
      expect(response.status).toBe(200);
      expect(response.data?.me).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors?.[0]).toMatchObject({
        path: ['mySessions'],
        extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' },
      });
    }
  });

  it('resolves one query across users and keyboards', async () => {
    const keyboard = await stack.keyboards.db.keyboard.create({
      data: {
        ownerId: member.id,
        title: 'My first board',
        boxType: { connect: { title: '60%' } },
        switch: { connect: { title: 'MX Brown' } },
      },
    });
    try {
      const { data, errors } = await stack.graphql(
        '{ me { nickname keyboards { totalCount nodes { title boxType { title } switch { title } owner { id nickname } } } } }',
        { token: member.token },
      );
      expect(errors).toBeUndefined();
      expect(data).toEqual({
        me: {
          nickname: member.nickname,
          keyboards: {
            totalCount: 1,
            nodes: [
              {
                title: 'My first board',
                boxType: { title: '60%' },
                switch: { title: 'MX Brown' },
                owner: { id: member.globalId, nickname: member.nickname },
              },
            ],
          },
        },
      });
    } finally {
      await stack.keyboards.db.keyboard.delete({ where: { id: keyboard.id } });
    }
  });
});

describe('stats through the gateway', () => {
  const query = '{ activityKinds { tag title titleEn titleRu } }';

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const { data, errors } = await stack.graphql<{ activityKinds: unknown }>(query);
    // Statistics root fields are nullable: the field is null, with its error.
    expect(data?.activityKinds ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errors?.[0]?.message).toBe('Sign in to do this.');
  });

  it('refuses a signed-in non-admin with FORBIDDEN, in Russian when asked', async () => {
    const { errors } = await stack.graphql(query, { token: member.token, headers: { 'accept-language': 'ru' } });
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(errors?.[0]?.message).toBe('Это может сделать только администратор.');
  });

  it('answers an admin from the seeded activity kinds, titled in the caller language', async () => {
    const { data, errors } = await stack.graphql<{ activityKinds: { tag: string; title: string; titleRu: string }[] }>(query, {
      token: admin.token,
      headers: { 'accept-language': 'ru' },
    });
    expect(errors).toBeUndefined();
    const seeKeyboard = data!.activityKinds.find((kind) => kind.tag === 'SEE_KEYBOARD');
    expect(seeKeyboard).toMatchObject({ title: 'Просмотр клавиатуры', titleEn: 'Keyboard viewed' });
    expect(data!.activityKinds.map((k) => k.tag)).toEqual(expect.arrayContaining(['SEE_BOX', 'EDIT_KEYCAP', 'SEE_SWITCH']));
  });
});
