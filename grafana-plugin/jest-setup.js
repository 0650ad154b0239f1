// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { configure } from '@testing-library/react';

// Pages wait for several (fake) HTTP answers; on a busy 2-core machine 1 s (the default) is too tight.
configure({ asyncUtilTimeout: 10000 });
