import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';

// Each page is its own chunk, loaded when first visited.
const OverviewPage = React.lazy(() =>
  import('../../pages/Overview/OverviewPage').then((m) => ({ default: m.OverviewPage })),
);
const ThreeWayPage = React.lazy(() =>
  import('../../pages/ThreeWay/ThreeWayPage').then((m) => ({ default: m.ThreeWayPage })),
);
const DriftDetailPage = React.lazy(() =>
  import('../../pages/DriftDetail/DriftDetailPage').then((m) => ({ default: m.DriftDetailPage })),
);
const AlertRulesPage = React.lazy(() =>
  import('../../pages/AlertRules/AlertRulesPage').then((m) => ({ default: m.AlertRulesPage })),
);
const ConfigurationPage = React.lazy(() =>
  import('../../pages/Configuration/ConfigurationPage').then((m) => ({ default: m.ConfigurationPage })),
);

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.ThreeWay} element={<ThreeWayPage />} />
      <Route path={`${ROUTES.DriftDetail}/:driftId?`} element={<DriftDetailPage />} />
      <Route path={ROUTES.AlertRules} element={<AlertRulesPage />} />
      <Route path={ROUTES.Configuration} element={<ConfigurationPage />} />
      {/* Default page */}
      <Route path="*" element={<OverviewPage />} />
    </Routes>
  );
}

export default App;
