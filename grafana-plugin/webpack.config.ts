import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/**
 * Extends the scaffolded config (never edited, see .config/README.md): the dashboards generated into
 * the repository's dashboards/ folder are shipped in dist/dashboards/, where plugin.json includes them.
 */
const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  return merge(baseConfig, {
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          { from: path.resolve(__dirname, '..', 'dashboards', '*.json'), to: 'dashboards/[name][ext]' },
        ],
      }),
    ],
  });
};

export default config;
