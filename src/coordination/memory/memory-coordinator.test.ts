// The in-memory Coordinator against the port's contract.
import { describeCoordinatorContract } from '../coordinator.contract';
import { createMemoryCoordinator } from './memory-coordinator';

describeCoordinatorContract('memory', (clock) => createMemoryCoordinator(clock));
