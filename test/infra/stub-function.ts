/**
 * Stand-in entry for the refresher function in infrastructure tests: the tests check what the stack
 * declares, not what the function does, so they do not depend on `lambda/` being buildable.
 */
export const handler = async (): Promise<{ outcome: 'fresh' }> => ({ outcome: 'fresh' });
