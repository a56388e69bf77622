import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1_000, now: () => now });

  beforeEach(() => (now = 0));

  it('opens after the threshold of consecutive failures, not before', () => {
    const circuit = breaker();
    circuit.failed();
    circuit.failed();
    expect(circuit.current).toBe('closed');
    circuit.failed();
    expect(circuit.current).toBe('open');
    expect(circuit.tryAcquire()).toBe(false);
    expect(circuit.retryAfterMs).toBe(1_000);
  });

  it('forgets failures after a success', () => {
    const circuit = breaker();
    circuit.failed();
    circuit.failed();
    circuit.succeeded();
    circuit.failed();
    circuit.failed();
    expect(circuit.current).toBe('closed');
  });

  it('lets exactly one trial through when the open period is over, and closes on its success', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failed();
    now = 1_000;
    expect(circuit.current).toBe('half-open');
    expect(circuit.tryAcquire()).toBe(true);
    expect(circuit.tryAcquire()).toBe(false);
    circuit.succeeded();
    expect(circuit.current).toBe('closed');
    expect(circuit.tryAcquire()).toBe(true);
  });

  it('counts a trial that never reports back as lost after the open period, and lets another through', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failed();
    now = 1_000;
    expect(circuit.tryAcquire()).toBe(true);
    now = 1_500;
    expect(circuit.tryAcquire()).toBe(false);
    now = 2_000;
    expect(circuit.tryAcquire()).toBe(true);
    circuit.succeeded();
    expect(circuit.current).toBe('closed');
  });

  it('reopens when the trial fails', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failed();
    now = 1_500;
    expect(circuit.tryAcquire()).toBe(true);
    circuit.failed();
    expect(circuit.current).toBe('open');
    now = 2_000;
    expect(circuit.current).toBe('open');
    now = 2_500;
    expect(circuit.current).toBe('half-open');
  });
});
