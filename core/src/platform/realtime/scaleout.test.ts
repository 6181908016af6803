import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { eventually } from '../../test/flows';
import { startScaledOutPair, type TestApp } from '../../test/harness';

/**
 * Scale-out: two core instances on one database, joined by the socket.io Redis adapter. A user whose
 * socket is on instance A receives the live event for a message sent through instance B, even though
 * only B's dispatcher is running. Needs a real Redis (TEST_REDIS_URL, set by .ci/run).
 */
const redisUrl = process.env['TEST_REDIS_URL'];

describe.skipIf(!redisUrl)(
  `live events across instances through Redis${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      ({ a, b } = await startScaledOutPair(redisUrl!));
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('delivers an event sequenced on instance B to a socket connected to instance A', async () => {
      const alice = await signUp(new ApiClient(a.url), { nickname: '阿丽' });
      const bob = await signUp(new ApiClient(b.url), { userType: 'freelancer', nickname: '小博' });
      await a.app.dispatcher.stop(); // from now on only B sequences and emits

      const socket = io(a.url, { auth: { token: alice.api.token }, transports: ['websocket'] });
      const received: { type: string; seq: number; payload: { preview?: string } }[] = [];
      socket.on('event', (e) => received.push(e));
      await eventually(async () => socket.connected);

      const conv = await bob.api.post('/conversations', { participantId: alice.userId });
      expect([200, 201]).toContain(conv.status);
      const sent = await bob.api.post(`/conversations/${conv.body.id}/messages`, {
        type: 'text',
        content: '你好，方案已发你邮箱',
      });
      expect(sent.status).toBe(201);

      const got = await eventually(async () => received.find((e) => e.type === 'message.created'));
      expect(got.payload.preview).toBe('你好，方案已发你邮箱');
      expect(got.seq).toBeGreaterThan(0);
      socket.close();
    });
  },
);
