import { classifySmtpFailure } from './smtp-failure';

describe('classifySmtpFailure', () => {
  it('gives up on a 5xx reply, with the reply as the reason', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user' })).toEqual({ kind: 'permanent', reason: '550 5.1.1 No such user' });
  });

  it('retries a 4xx reply, an unreachable server and refused credentials', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 try later' }).kind).toBe('retry');
    expect(classifySmtpFailure({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' })).toEqual({ kind: 'retry', reason: 'connect ECONNREFUSED 127.0.0.1:25' });
    expect(classifySmtpFailure({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }).kind).toBe('retry');
  });
});
